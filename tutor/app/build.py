"""The web app: Ask (chat with clickable citations), Practise (quiz), Review (tutors audit citations).

``build_app(settings)`` builds it and ``launch`` serves it; the tabs' handlers are plain methods
(``app.handlers.ask``, ``.practise``, ``.review``), so tests call them without a server::

    >>> app = TutorApp(settings)                                             # doctest: +SKIP
    >>> *_, (box, chat, panel, session) = app.ask.ask("What is X?", [], None)  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import gradio as gr

from ..pipeline import Tutor
from ..settings import PROJECT_ROOT, Settings
from . import render
from .ask import AskTab
from .course import ALL, Course
from .practise import PractiseTab
from .review import ReviewTab
from .review_ui import build_review
from .store import Store

log = logging.getLogger(__name__)
EXPORT_PATH = PROJECT_ROOT / "evals" / "reports" / "reviewed-cases.jsonl"


class TutorApp:
    """One per app: the Tutor (its embedding model loads once and serves concurrent questions), the store, the
    study aids made from the index, and one handler object per tab. Conversation state lives per session."""

    def __init__(self, settings: Settings, tutor: Tutor | None = None, store: Store | None = None,
                 export_path: Path | None = None):
        self.settings = settings
        self.tutor = tutor or Tutor(settings)
        self.store = store or Store.from_settings(settings)
        self.course = Course(self.tutor.retriever.index)
        self.ask = AskTab(self.tutor, self.store, settings.max_question_chars)
        self.practise = PractiseTab(lambda unit: self.course.aids(unit).items)
        self.review = ReviewTab(self.store, settings.review_password, settings.host, export_path or EXPORT_PATH)
        if settings.hosted_configured and settings.quiz_model_items > 0:
            threading.Thread(target=self.add_model_items, name="quiz-items", daemon=True).start()

    def add_model_items(self, complete=None, unit: str = ALL) -> int:
        """Quiz items from the hosted model (``complete``: prompt -> reply; the hosted backend's by default)."""
        try:
            complete = complete or self.tutor.backend("hosted").complete
        except Exception:  # noqa: BLE001 - the deterministic items remain
            log.exception("the hosted model is not available for quiz items")
            return 0
        return self.practise.add_model_items(self.tutor.retriever.index.chunks_of(unit or None), complete,
                                             self.settings.quiz_model_items, unit)

    def switch_unit(self, unit: str):
        """The unit picker: that unit's starter questions, glossary, attribution and quiz."""
        aids = self.course.aids(unit or ALL)
        about = render.about_html(self.course.title(unit), aids.attribution)
        return (gr.Dataset(samples=[[q] for q in aids.starters]), render.glossary_html(aids.glossary), about,
                *self.practise.switch(unit or ALL))


def build_app(settings: Settings, tutor: Tutor | None = None, store: Store | None = None,
              export_path: Path | None = None) -> gr.Blocks:
    h = TutorApp(settings, tutor, store, export_path)
    with gr.Blocks(title="Unit tutor", fill_width=True, analytics_enabled=False) as app:
        app.handlers = h
        gr.Markdown("# Unit tutor\nAnswers come only from the course units, and every sentence cites its passage.")
        unit = gr.Dropdown(h.course.choices(), value=ALL, label="Unit", elem_id="unit-picker")
        aids = h.course.aids(ALL)
        about = gr.HTML(render.about_html(h.course.title(ALL), ""), elem_id="unit-about")
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                starters, glossary_box = h.ask.build(unit, aids.starters, render.glossary_html(aids.glossary))
            with gr.Tab("Practise", id="practise"):
                quiz = h.practise.build()
            with gr.Tab("Review", id="review") as review:
                build_review(h.review, review, locked_by_password=bool(settings.review_password))
        unit.change(h.switch_unit, [unit], [starters, glossary_box, about, *quiz], api_visibility="private")
    return app


def launch(settings: Settings, app: gr.Blocks | None = None, block: bool = True, **kwargs) -> gr.Blocks:
    """Launch on settings.host/port with the configured queue; ``block=False`` returns once it is serving."""
    app = app or build_app(settings)
    app.queue(default_concurrency_limit=settings.concurrency, max_size=settings.max_queue)
    export_dir = app.handlers.review.export_path.parent
    export_dir.mkdir(parents=True, exist_ok=True)
    app.launch(server_name=settings.host, server_port=settings.port, share=False, show_error=False,
               prevent_thread_lock=not block, css=render.CSS, head=render.HEAD, allowed_paths=[str(export_dir)],
               quiet=not block, **kwargs)
    return app


def serve(settings: Settings) -> None:
    """What ``tutor serve`` and ``app.py`` run."""
    launch(settings)
