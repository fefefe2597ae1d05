"""The web app: Ask (chat with clickable citations), Practise (quiz), Review (tutors audit citations).

``build_app(settings)`` builds it; ``serve(settings)`` launches it. The handlers live on ``TutorApp`` as plain
methods over per-session state dicts, so tests call them without a server::

    >>> app = TutorApp(settings)                                        # doctest: +SKIP
    >>> *_, (box, chat, panel, session) = app.ask("What is the CAF?", [], None)  # doctest: +SKIP
    >>> chat[-1]["content"]                                             # doctest: +SKIP
    '<div class="answer answered"><p>There was also ... <a class="cite" href="#src-1-1" ...>[1]</a>...'
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import threading
import uuid
from pathlib import Path
from typing import Iterator

import gradio as gr

from . import quiz
from . import ui_render as render
from .answer import Tutor, check_question
from .errors import TutorError
from .settings import PROJECT_ROOT, Settings
from .store import FILTERS, VERDICTS, WHOLE_ANSWER, Store, Verdict

log = logging.getLogger(__name__)
EXPORT_PATH = PROJECT_ROOT / "evals" / "reports" / "reviewed-cases.jsonl"
LOCKED = "Enter the review password to see logged answers."
NEEDS_PASSWORD = ("The Review tab shows every learner's questions, so it needs TUTOR_REVIEW_PASSWORD when the app "
                  "listens beyond this machine. Set it and restart.")


def _loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class TutorApp:
    """One per app: the Tutor (its embedding model loads once and serves concurrent questions), the store and the
    study aids made from the index. All conversation state lives in the per-session dicts passed in and out."""

    def __init__(self, settings: Settings, tutor: Tutor | None = None, store: Store | None = None,
                 export_path: Path | None = None):
        self.settings = settings
        self.tutor = tutor or Tutor(settings)
        self.store = store or Store.from_settings(settings)
        self.export_path = Path(export_path or EXPORT_PATH)
        chunks = self.tutor.retriever.index.chunks
        self.items = quiz.make_items(chunks)
        if settings.hosted_configured and settings.quiz_model_items > 0:
            threading.Thread(target=self.add_model_items, name="quiz-items", daemon=True).start()
        self.glossary = quiz.glossary(chunks)
        self.starters = quiz.starter_questions(chunks)
        # Without a password the Review tab is only open when nobody else can reach the app.
        self.review_open = bool(settings.review_password) or _loopback(settings.host)

    def add_model_items(self, complete=None) -> int:
        """Append quiz questions written by the hosted model (``complete``: prompt -> reply, the hosted backend's
        by default), each kept only when it checks out against its passage. Returns how many were added."""
        try:
            complete = complete or self.tutor.backend("hosted").complete
            found, rejected = quiz.model_items(self.tutor.retriever.index.chunks, complete,
                                               self.settings.quiz_model_items)
        except Exception:  # noqa: BLE001 - the deterministic items remain; say why in the log
            log.exception("model-written quiz items failed; the quiz keeps its fill-the-gap items")
            return 0
        for reason in rejected:
            log.info("quiz item rejected: %s", reason)
        self.items.extend(found)  # list.extend is atomic: sessions see the longer list from their next item
        log.info("quiz: %d model-written items added, %d passages gave none", len(found), len(rejected))
        return len(found)

    # ---- Ask -------------------------------------------------------------------------------------------------
    @staticmethod
    def new_session() -> dict:
        return {"id": uuid.uuid4().hex, "questions": [], "blocks": [], "turn": 0}

    def ask(self, message: str, chat: list | None, session: dict | None) -> Iterator[tuple[str, list, str, dict]]:
        """Stream one answer: yields (textbox, chat messages, sources panel HTML, session)."""
        session = session or self.new_session()
        chat = list(chat or [])
        turn, blocks = session["turn"] + 1, session["blocks"]
        shown = " ".join(str(message or "").split())
        if shown:
            chat.append({"role": "user", "content": shown if len(shown) <= 600 else shown[:600] + "…"})
        chat.append({"role": "assistant", "content": render.streaming("", turn)})

        def step(shown_blocks: list[str]):  # a snapshot: Gradio serialises each yield, tests keep them all
            return "", list(chat), render.sources_panel(shown_blocks), session

        yield step(blocks)
        text = notice = ""
        passages, answer = [], None
        try:
            for event in self.tutor.stream(message, session["questions"]):
                if event["type"] == "passages":
                    passages = event["passages"]
                elif event["type"] == "notice":
                    notice = event["text"]
                elif event["type"] == "text":
                    text += event["text"]
                elif event["type"] == "done":
                    answer = event["answer"]
                    break
                chat[-1] = {"role": "assistant", "content": render.streaming(text, turn, notice)}
                yield step(blocks + [render.sources_block(passages, turn)] if passages else blocks)
            if answer is None:
                raise RuntimeError("the answer stream ended without an answer")
        except TutorError as exc:
            chat[-1] = {"role": "assistant", "content": render.error_html(str(exc))}
            yield step(blocks)
            return
        except Exception:  # noqa: BLE001 - the learner gets a short message, the log gets the traceback
            log.exception("answering failed")
            chat[-1] = {"role": "assistant", "content": render.error_html(render.ERROR_GENERIC)}
            yield step(blocks)
            return
        question = check_question(message, self.settings.max_question_chars)
        history = list(session["questions"])
        session["turn"] = turn
        if passages:
            blocks.append(render.sources_block(passages, turn, answer))
        if answer.status != "safeguarding":  # a disclosure is never carried into later searches
            session["questions"].append(question)
        chat[-1] = {"role": "assistant", "content": render.answer_html(answer, turn)}
        try:
            self.store.log(question, history, answer, session["id"])
        except Exception:  # noqa: BLE001 - a full disk must not cost the learner their answer
            log.exception("could not log the answer to %s", self.store.path)
        yield step(blocks)

    def new_conversation(self, session: dict | None) -> tuple[str, list, str, dict]:
        fresh = self.new_session()
        if session:
            fresh["id"] = session["id"]  # same browser session, new conversation
        return "", [], render.sources_panel([]), fresh

    # ---- Practise --------------------------------------------------------------------------------------------
    @staticmethod
    def new_quiz() -> dict:
        return {"index": 0, "correct": 0, "attempted": 0, "checked": []}

    def quiz_card(self, state: dict) -> str:
        item = self.items[state["index"]] if self.items else None
        return render.quiz_card(item, state["index"] + 1, len(self.items))

    def quiz_check(self, response: str, state: dict | None) -> tuple[str, str, dict]:
        """Check an answer: (feedback HTML, score, state). Only the first try at an item counts."""
        state = state or self.new_quiz()
        if not self.items:
            return "", render.score_text(state), state
        item = self.items[state["index"]]
        result = quiz.check(item, response)
        if result.attempted and item.id not in state["checked"]:
            state["checked"].append(item.id)
            state["attempted"] += 1
            state["correct"] += int(result.correct)
        return render.feedback_html(result, item), render.score_text(state), state

    def quiz_next(self, state: dict | None) -> tuple[str, str, str, dict]:
        """Move on: (card HTML, cleared answer box, cleared feedback, state)."""
        state = state or self.new_quiz()
        state["index"] = (state["index"] + 1) % max(1, len(self.items))
        return self.quiz_card(state), "", "", state

    # ---- Review ----------------------------------------------------------------------------------------------
    def unlock(self, password: str, unlocked: bool) -> tuple[dict, dict, str, bool]:
        """Checked on the server: (review content visibility, password row visibility, message, unlocked)."""
        if not self.review_open:
            return gr.update(visible=False), gr.update(visible=False), NEEDS_PASSWORD, False
        ok = bool(unlocked) or not self.settings.review_password or hmac.compare_digest(
            (password or "").encode(), self.settings.review_password.encode())
        message = "" if ok else "That password is not right."
        return gr.update(visible=ok), gr.update(visible=not ok), message, ok

    def _require(self, unlocked: bool) -> None:
        if not (self.review_open and unlocked):
            raise gr.Error(LOCKED if self.review_open else NEEDS_PASSWORD)

    def review_list(self, filter: str, unlocked: bool) -> tuple[list[list], dict, str]:
        """(table rows, answer picker, summary) for the chosen filter."""
        self._require(unlocked)
        chats = self.store.chats(filter or "all")
        choices = [(f"#{c['id']} · {c['question'][:70]}", c["id"]) for c in chats]
        return render.review_rows(chats), gr.update(choices=choices, value=None), self.review_summary(unlocked)

    def review_refresh(self, filter: str, unlocked: bool):
        """Like ``review_list`` but quietly does nothing while locked (it runs when the tab is opened)."""
        return self.review_list(filter, unlocked) if self.review_open and unlocked else (gr.skip(),) * 3

    def review_show(self, chat_id: int | None, unlocked: bool) -> str:
        self._require(unlocked)
        return render.review_detail(self.store.chat(int(chat_id))) if chat_id else ""

    def review_form(self, chat_id: int | None, unlocked: bool) -> list[dict]:
        """The citations to judge on one answer: [{"key", "label", "choices", "verdict", "comment"}]."""
        self._require(unlocked)
        if not chat_id:
            return []
        chat, saved = self.store.chat(int(chat_id)), self.store.reviews(int(chat_id))
        sentences = chat["answer"].get("sentences", [])
        if chat["status"] != "answered" or not sentences:
            keys = [(WHOLE_ANSWER, f"Whole answer ({chat['status']}): was that the right response?",
                     [("right call", "correct"), ("wrong call", "wrong")])]
        else:
            keys = [((i, n), f"S{i + 1} cites [{n}]", list(VERDICTS)) for i, s in enumerate(sentences)
                    for n in s["citations"]]
        return [{"key": k, "label": label, "choices": choices, "verdict": saved.get(k, {}).get("verdict"),
                 "comment": saved.get(k, {}).get("comment", "")} for k, label, choices in keys]

    def review_save(self, chat_id: int | None, keys: list[tuple[int, int]], values: list, unlocked: bool) -> str:
        """Save verdicts: ``values`` holds one verdict per key, then one comment per key."""
        self._require(unlocked)
        if not chat_id:
            return "Pick an answer to review first."
        verdicts, comments = values[:len(keys)], values[len(keys):]
        chosen = [Verdict(s, n, v, c or "") for (s, n), v, c in zip(keys, verdicts, comments) if v]
        if not chosen:
            return "Pick a verdict for at least one citation, then Save."
        try:
            saved = self.store.save_reviews(int(chat_id), chosen)
        except TutorError as exc:
            return str(exc)
        return f"Saved {saved} verdict{'s' if saved != 1 else ''} for answer #{int(chat_id)}."

    def review_summary(self, unlocked: bool) -> str:
        self._require(unlocked)
        return render.summary_md(self.store.summary())

    def review_export(self, unlocked: bool) -> tuple[str | None, str]:
        self._require(unlocked)
        written, skipped = self.store.export_cases(self.export_path)
        note = f" ({skipped} skipped: no citation marked correct, or a decline marked wrong)" if skipped else ""
        return str(self.export_path), f"Wrote {written} eval case{'s' if written != 1 else ''} to {self.export_path}{note}."


def build_app(settings: Settings, tutor: Tutor | None = None, store: Store | None = None,
              export_path: Path | None = None) -> gr.Blocks:
    h = TutorApp(settings, tutor, store, export_path)
    private = {"api_visibility": "private"}
    with gr.Blocks(title="Unit tutor", fill_width=True, analytics_enabled=False) as app:
        app.handlers = h
        gr.Markdown("# Unit tutor\nAnswers come only from the course unit, and every sentence cites its passage.")
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                session = gr.State(h.new_session)
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3):
                        # No copy buttons: they would copy the answer's HTML, not its text.
                        chat = gr.Chatbot(label="Conversation", height=520, feedback_options=None,
                                          elem_id="chat", buttons=[])
                        with gr.Row():
                            box = gr.Textbox(placeholder="Ask a question about the unit…", show_label=False,
                                             scale=5, max_lines=6, elem_id="question")
                            send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask-button")
                        new = gr.Button("New conversation", size="sm", elem_id="new-conversation")
                        gr.Examples([[q] for q in h.starters], inputs=[box], label="Starter questions")
                    with gr.Column(scale=2):
                        gr.Markdown("### Sources")
                        panel = gr.HTML(render.sources_panel([]), elem_id="sources-panel")
                        with gr.Accordion("Glossary of the unit's acronyms", open=False):
                            gr.HTML(render.glossary_html(h.glossary))
                outputs = [box, chat, panel, session]
                send.click(h.ask, [box, chat, session], outputs, api_name="ask")
                box.submit(h.ask, [box, chat, session], outputs, api_visibility="private")
                for clear in (new.click, chat.clear):  # the chat's own bin icon must forget the history too
                    clear(h.new_conversation, [session], outputs, api_visibility="private")
            with gr.Tab("Practise", id="practise"):
                qstate = gr.State(h.new_quiz)
                card = gr.HTML(h.quiz_card(h.new_quiz()), elem_id="quiz-card")
                reply = gr.Textbox(label="Your answer", elem_id="quiz-answer")
                with gr.Row():
                    check = gr.Button("Check", variant="primary", elem_id="quiz-check")
                    nxt = gr.Button("Next question", elem_id="quiz-next")
                feedback = gr.HTML(elem_id="quiz-feedback")
                score = gr.Markdown(render.score_text(h.new_quiz()), elem_id="quiz-score")
                check.click(h.quiz_check, [reply, qstate], [feedback, score, qstate], api_name="check")
                reply.submit(h.quiz_check, [reply, qstate], [feedback, score, qstate], **private)
                nxt.click(h.quiz_next, [qstate], [card, reply, feedback, qstate], **private)
            with gr.Tab("Review", id="review") as review:
                _review_tab(h, review)
    return app


def _review_tab(h: TutorApp, tab: gr.Tab) -> None:
    private = {"api_visibility": "private"}
    open_now = h.review_open and not h.settings.review_password
    unlocked = gr.State(open_now)
    with gr.Row(visible=h.review_open and not open_now) as locked_row:
        password = gr.Textbox(label="Review password", type="password", elem_id="review-password", scale=3)
        enter = gr.Button("Unlock", elem_id="review-unlock", scale=1)
    message = gr.Markdown("" if h.review_open else NEEDS_PASSWORD)
    with gr.Column(visible=open_now) as body:
        with gr.Row():
            which = gr.Radio(list(FILTERS), value="all", label="Show", elem_id="review-filter", scale=4)
            refresh = gr.Button("Refresh", elem_id="review-refresh", scale=1)
        table = gr.Dataframe(headers=["#", "time", "question", "status", "answerer", "verified", "verdicts"],
                             interactive=False, wrap=True, elem_id="review-table")
        chosen = gr.Dropdown(label="Answer to review", choices=[], elem_id="review-choose")
        detail = gr.HTML(elem_id="review-detail")

        @gr.render(inputs=[chosen, unlocked], triggers=[chosen.change])
        def form(chat_id, is_unlocked):
            if not chat_id or not is_unlocked:
                return
            fields = h.review_form(chat_id, is_unlocked)
            radios, notes = [], []
            for f in fields:
                with gr.Row():
                    radios.append(gr.Radio(f["choices"], value=f["verdict"], label=f["label"], scale=2))
                    notes.append(gr.Textbox(f["comment"], label="Comment (optional)", scale=2))
            keys = [f["key"] for f in fields]
            save = gr.Button("Save verdicts", variant="primary", elem_id="review-save")

            def on_save(cid, ok, *values):
                return h.review_save(cid, keys, list(values), ok), h.review_summary(ok)
            save.click(on_save, [chosen, unlocked, *radios, *notes], [status, summary], **private)

        status = gr.Markdown(elem_id="review-status")
        with gr.Accordion("Summary", open=True):
            summary = gr.Markdown(elem_id="review-summary")

        with gr.Row():
            export = gr.Button("Export reviewed answers as eval cases", elem_id="review-export")
        exported = gr.File(label="Reviewed answers (JSONL)", interactive=False, height=80, elem_id="review-file")
        export_msg = gr.Markdown()
    listing = dict(fn=h.review_refresh, inputs=[which, unlocked], outputs=[table, chosen, summary], **private)
    for unlock_event in (enter.click, password.submit):
        unlock_event(h.unlock, [password, unlocked], [body, locked_row, message, unlocked], **private).success(**listing)
    for event in (tab.select, refresh.click, which.change):
        event(**listing)
    chosen.change(h.review_show, [chosen, unlocked], [detail], **private)
    export.click(h.review_export, [unlocked], [exported, export_msg], **private)


def launch(settings: Settings, app: gr.Blocks | None = None, block: bool = True, **kwargs) -> gr.Blocks:
    """Launch on settings.host/port with the configured queue; ``block=False`` returns once it is serving."""
    app = app or build_app(settings)
    app.queue(default_concurrency_limit=settings.concurrency, max_size=settings.max_queue)
    export_dir = app.handlers.export_path.parent
    export_dir.mkdir(parents=True, exist_ok=True)
    app.launch(server_name=settings.host, server_port=settings.port, share=False, show_error=False,
               prevent_thread_lock=not block, css=render.CSS, head=render.HEAD, allowed_paths=[str(export_dir)],
               quiet=not block, **kwargs)
    return app


def serve(settings: Settings) -> None:
    """What ``tutor serve`` and ``app.py`` run."""
    launch(settings)
