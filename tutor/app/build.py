"""The web app: Ask (chat with clickable citations), Practise (quiz), Review (tutors audit citations).

``build_app(settings)`` builds it and ``launch`` serves it (uvicorn, with the export download route beside
Gradio); the tabs' handlers are plain methods (``app.handlers.ask``, ``.practise``, ``.review``), so tests call them
without a server::

    >>> app = TutorApp(settings)                                             # doctest: +SKIP
    >>> *_, (box, chat, panel, session) = app.ask.ask("What is X?", [], None)  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import os
import socket
import tempfile
import threading
import time
from pathlib import Path

import gradio as gr

from ..alerts import AlertQueue
from ..errors import ConfigError
from ..pipeline import Tutor
from ..settings import PROJECT_ROOT, Settings
from ..storage import database_of
from . import render
from .ask import AskTab
from .auth import ReviewGate, check_exposure, signed_in_as
from ..lti.routes import mount as mount_lti
from ..lti.tool import LtiTool
from ..learners.accounts import Accounts
from ..learners.schedule import Deck
from .course import ALL, Course
from .export import Downloads
from .helpme import HelpFlow
from .export import export_path as default_export_path
from .practise import PractiseTab
from .progress_tab import ProgressTab
from .review import ReviewTab
from .review_ui import build_review
from .store import Store

log = logging.getLogger(__name__)


class TutorApp:
    """One per app: the Tutor (its embedding model loads once and serves concurrent questions), the store, the
    study aids made from the index, and one handler object per tab. Conversation state lives per session."""

    def __init__(self, settings: Settings, tutor: Tutor | None = None, store: Store | None = None,
                 export_path: Path | None = None, alerts: AlertQueue | None = None):
        self.settings = settings
        self.tutor = tutor or Tutor(settings)
        self.store = store or Store.from_settings(settings)  # writes in the background: answers never wait on it
        self.alerts = alerts or AlertQueue.from_settings(settings)  # written before the reply; sent on in the background
        self.course = Course(self.tutor.live().index)
        self.ask = AskTab(self.tutor, self.store, settings.max_question_chars, self.alerts)
        self.ask.help = HelpFlow(self.ask, self.course.title)
        self.deck = Deck(database_of(settings))  # every learner's practice cards, beside the chat log
        # LTI 1.3: launches from a VLE sign learners in; practice scores go back to its gradebook
        self.lti = LtiTool.from_settings(settings, lambda: self.tutor.live().index.units,
                                         lambda unit: self.course.aids(unit).items)
        self.practise = PractiseTab(lambda unit: self.course.aids(unit).items, self.deck, self.lti.practised)
        gate = ReviewGate(settings.review_password, settings.host)
        self.downloads = Downloads(export_path or default_export_path(settings.db), gate)
        self.review = ReviewTab(self.store, gate, self.downloads, self.alerts)
        self.progress = ProgressTab(database_of(settings), self.review, lambda texts: self.tutor.live().vectors(texts))
        if settings.hosted_configured and settings.quiz_model_items > 0:
            threading.Thread(target=self.add_model_items, name="quiz-items", daemon=True).start()

    def add_model_items(self, complete=None, unit: str = ALL) -> int:
        """Quiz items from the hosted model (``complete``: prompt -> reply; the hosted backend's by default)."""
        try:
            complete = complete or next(b for b in map(self.tutor.backend, self.tutor.chain()) if b.can_complete).complete
        except Exception:  # noqa: BLE001 - the deterministic items remain
            log.exception("the hosted model is not available for quiz items")
            return 0
        return self.practise.add_model_items(self.tutor.live().index.chunks_of(unit or None), complete,
                                             self.settings.quiz_model_items, unit)

    def arrived(self, request: gr.Request = None):
        """The page loaded: a learner an LTI launch signed in starts in the activity's unit, greeted by name."""
        name, unit = signed_in_as(request, "learner_name"), signed_in_as(request, "unit")
        if signed_in_as(request, "learner") is None:
            return gr.skip(), ""
        role = " (teacher: the Review tab is open to you)" if signed_in_as(request, "tutor") else ""
        return (unit if unit in self.course.index.units else gr.skip()), render.signed_in_html(name or "learner", role)

    def switch_unit(self, unit: str, quiz: dict | None = None, request: gr.Request = None):
        """The unit picker: that unit's starter questions, glossary, attribution and quiz."""
        aids = self.course.aids(unit or ALL)
        about = render.about_html(self.course.title(unit), aids.attribution)
        return (gr.Dataset(samples=[[q] for q in aids.starters]), render.glossary_html(aids.glossary), about,
                *self.practise.switch(unit or ALL, quiz, request))


def build_app(settings: Settings, tutor: Tutor | None = None, store: Store | None = None,
              export_path: Path | None = None) -> gr.Blocks:
    h = TutorApp(settings, tutor, store, export_path)
    with gr.Blocks(title="Unit tutor", fill_width=True, analytics_enabled=False) as app:
        app.handlers = h
        gr.Markdown("# Unit tutor\nAnswers come only from the course units, and every sentence cites its passage.")
        who = gr.HTML("", elem_id="signed-in")
        unit = gr.Dropdown(h.course.choices(), value=ALL, label="Unit", elem_id="unit-picker")
        aids = h.course.aids(ALL)
        about = gr.HTML(render.about_html(h.course.title(ALL), ""), elem_id="unit-about")
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                starters, glossary_box = h.ask.build(unit, aids.starters, render.glossary_html(aids.glossary))
            with gr.Tab("Practise", id="practise") as practise:
                quiz = h.practise.build()
            practise.select(h.practise.enter, [quiz[-1]], [quiz[0], quiz[-1]], api_visibility="private")
            with gr.Tab("Progress", id="progress") as progress:
                h.progress.build(unit, quiz[-1])
            progress.select(**h.progress.refresh)
            with gr.Tab("Review", id="review") as review:
                build_review(h.review, review, lambda token: h.progress.build_tutor(unit, token))
        unit.change(h.switch_unit, [unit, quiz[-1]], [starters, glossary_box, about, *quiz], api_visibility="private")
        app.load(h.arrived, None, [unit, who], api_visibility="private")
    return app


class Served:
    """A running app: ``handlers`` (the ``TutorApp``), ``url``, and ``close()``."""

    def __init__(self, blocks: gr.Blocks, server, thread: threading.Thread | None, url: str):
        self.blocks, self.server, self.thread, self.url = blocks, server, thread, url
        self.handlers: TutorApp = blocks.handlers

    def close(self) -> None:
        self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(15)
        self.handlers.lti.close()  # scores still pending stay in lti_grade_sends and go at the next start
        self.handlers.store.flush(5)  # answers still queued for the log get their chance
        self.handlers.alerts.flush(5)  # and alerts still being sent on, or kept aside


def listen(host: str, port: int) -> socket.socket:
    """The server's socket, bound before the slow start-up so a taken port fails at once, naming TUTOR_PORT."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        raise ConfigError(f"Cannot listen on {host}:{port} ({exc.strerror or exc}). Set TUTOR_HOST to an address "
                          "of this machine, such as 127.0.0.1.") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise ConfigError(f"Cannot listen on {host}:{port} ({exc.strerror or exc}). Set TUTOR_PORT to a free port "
                          "(or stop the program using it).") from None
    return sock


def private_paths(settings: Settings) -> list[str]:
    """Folders Gradio must never serve a file from, whatever a handler returns: eval answers, logs, exports."""
    gradio_cache = Path(os.environ.get("GRADIO_TEMP_DIR") or Path(tempfile.gettempdir()) / "gradio").resolve()
    folders = {PROJECT_ROOT / "evals", PROJECT_ROOT / "data", settings.db.parent.resolve()}
    return sorted(str(f) for f in folders if not gradio_cache.is_relative_to(f))


def _server(settings: Settings, app: gr.Blocks):
    """uvicorn serving Gradio at "/" and, beside it, the export download route."""
    import uvicorn
    from fastapi import FastAPI

    class Server(uvicorn.Server):
        async def shutdown(self, sockets=None):
            # Browsers' heartbeat streams never end on their own: end them (inside the loop, so thread-safe) and
            # stop Gradio's queue before uvicorn waits for open requests.
            gradio_app.stop_event.set()
            app.close(verbose=False)
            await super().shutdown(sockets)

    server_app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.handlers.downloads.mount(server_app)  # before Gradio, whose mount at "/" would catch the path
    mount_lti(server_app, app.handlers.lti.start())  # /lti/login, /lti/launch, /lti/jwks, /lti/deep-link
    # TUTOR_SIGN_IN=1: Gradio's login page, checked against the learner accounts (bcrypt) in TUTOR_DB.
    auth = Accounts(database_of(settings)).verify if settings.sign_in else None
    gr.mount_gradio_app(server_app, app, path="/", server_name=settings.host, server_port=settings.port,
                        show_error=False, css=render.CSS, head=render.HEAD, allowed_paths=[],
                        blocked_paths=private_paths(settings), auth=auth,
                        auth_message="Sign in with the name and password your tutor gave you." if auth else None)
    gradio_app = server_app.routes[-1].app  # the Mount just added
    # proxy_headers off: request.client.host is the socket peer, which ReviewGate trusts and a header cannot fake.
    return Server(uvicorn.Config(server_app, log_level="warning", access_log=False, proxy_headers=False,
                                 timeout_graceful_shutdown=5))


def launch(settings: Settings, app: gr.Blocks | None = None, block: bool = True) -> Served:
    """Serve on settings.host/port with the configured queue; ``block=False`` returns once it is serving. Refuses
    to listen beyond loopback without TUTOR_REVIEW_PASSWORD, and names TUTOR_PORT when the port is taken."""
    check_exposure(settings.host, settings.review_password)
    sock = listen(settings.host, settings.port)
    app = app or build_app(settings)
    app.queue(default_concurrency_limit=settings.concurrency, max_size=settings.max_queue)
    server = _server(settings, app)
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    served = Served(app, server, None, f"http://{host}:{settings.port}/")
    if block:
        print(f"Serving the tutor at {served.url} (Ctrl-C to stop)", flush=True)
        server.run(sockets=[sock])
        served.close()
        return served
    served.thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="tutor-server", daemon=True)
    served.thread.start()
    deadline = time.monotonic() + 60
    while not server.started and served.thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    if not server.started:
        raise ConfigError(f"The web app did not start on {served.url}; run tutor serve -v to see why.")
    return served


def serve(settings: Settings) -> None:
    """What ``tutor serve`` and ``app.py`` run."""
    launch(settings)
