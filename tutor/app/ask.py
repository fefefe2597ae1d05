"""The Ask tab: a chat that shows the retrieved passages first, then the answer sentence by sentence, with every
``[n]`` a link to its passage. Handlers are plain methods over per-session state, so tests call them directly::

    >>> tab = AskTab(tutor, store, max_chars=2000)                        # doctest: +SKIP
    >>> *_, (box, chat, panel, session) = tab.ask("What is X?", [], None)  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import logging
import uuid
from html import escape
from typing import Iterator

import gradio as gr

from ..errors import TutorError
from ..question import check_question, clean_text
from ..types import SAFEGUARDING, Direct, Done, Notice, Passages, Signpost, Text
from ..learners.accounts import learner_of
from . import render

log = logging.getLogger(__name__)
# A session's state stays bounded however long the conversation: the passages of the last few answers (the
# current one open, earlier ones folded), the questions follow-ups may lean on, and the chat shown.
KEEP_BLOCKS, KEEP_QUESTIONS, KEEP_MESSAGES = 5, 20, 100


class AskTab:
    def __init__(self, tutor, store, max_chars: int, alerts=None):
        self.tutor, self.store, self.max_chars = tutor, store, max_chars
        self.alerts = alerts  # the safeguarding queue (tutor.alerts.AlertQueue); None: nobody is told
        self.help = None  # a HelpFlow: "Help me work it out" (hints before the answer)

    @staticmethod
    def new_session() -> dict:
        return {"id": uuid.uuid4().hex, "questions": [], "blocks": [], "turn": 0}

    def ask(self, message: str, chat: list | None, session: dict | None, unit: str | None = None,
            request: gr.Request = None) -> Iterator[tuple[str, list, str, dict]]:
        """Stream one answer from ``unit`` (None or "": every unit): yields (textbox, chat messages, sources panel
        HTML, session)."""
        session = session or self.new_session()
        chat = list(chat or [])[-KEEP_MESSAGES:]
        turn, blocks = session["turn"] + 1, session["blocks"]
        shown = escape(clean_text(message), quote=False)  # the learner's words as text: no markup, no surrogates
        if shown:
            chat.append({"role": "user", "content": shown if len(shown) <= 600 else shown[:600] + "…"})
        chat.append({"role": "assistant", "content": render.streaming("", turn)})

        def step(shown_blocks: list[str]):  # a snapshot: Gradio serialises each yield, tests keep them all
            return "", list(chat), render.sources_panel(shown_blocks), session

        # nothing is shown before the stream's first event: a Signpost, when there is one, is queued for the lead first
        text = notice = direct = signpost = ""
        passages, answer, alerted = [], None, False
        try:
            for event in self.tutor.stream(message, session["questions"], unit=unit or None):
                if isinstance(event, Done):
                    answer = event.answer
                    break
                if isinstance(event, Signpost):  # the first event: queued for the lead before it is shown
                    alerted, signpost = self._alert(message, session, unit, event), event.text
                elif isinstance(event, Passages):
                    passages = event.passages
                elif isinstance(event, Notice):
                    notice = event.text
                elif isinstance(event, Text):
                    text += event.text
                elif isinstance(event, Direct):
                    direct = event.text
                chat[-1] = {"role": "assistant", "content": render.streaming(text, turn, notice, direct, signpost)}
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
        answer = self._told(answer, unit) if alerted else answer
        self.finish(message, answer, passages, session, turn, learner_of(request, session["id"]), unit or "")
        chat[-1] = {"role": "assistant", "content": render.answer_html(answer, turn)}
        yield step(session["blocks"])

    def _alert(self, message: str, session: dict, unit: str | None, signpost: Signpost) -> bool:
        """Put a disclosure or possible concern in the lead's queue (a durable write, delivery in the background);
        True when one was queued."""
        if self.alerts is None:
            return False
        self.alerts.record(clean_text(message), unit or "", session["id"], signpost.level, signpost.score,
                           signpost.part)  # never raises: a failed write is kept aside and retried
        return True

    def _told(self, answer, unit: str | None):
        """The answer with the policy's sentence saying the message may be passed to the safeguarding lead."""
        try:
            said = self.tutor.resources.policy(unit or None).passed_on
        except Exception:  # noqa: BLE001 - the signposting itself still goes out
            log.exception("the safeguarding policy's passed_on message could not be read")
            return answer
        joint = "\n" if "\n" in answer.signposting else " "  # the full message gets a line; a note one sentence
        return dataclasses.replace(answer, signposting=f"{answer.signposting}{joint}{said}".strip())

    def finish(self, message: str, answer, passages, session: dict, turn: int, learner: str = "",
               unit: str = "") -> None:
        """Keep the turn in the session and log it; a disclosure is never carried into later searches."""
        asked = check_question(message, session["questions"], self.max_chars)
        history = list(asked.history)
        session["turn"] = turn
        if passages:
            session["blocks"] = (session["blocks"] + [render.sources_block(passages, turn, answer)])[-KEEP_BLOCKS:]
        if answer.status != SAFEGUARDING:
            session["questions"] = (session["questions"] + [asked.question])[-KEEP_QUESTIONS:]
        try:
            self.store.log(asked.question, history, answer, session["id"], learner=learner, unit=unit)
        except Exception:  # noqa: BLE001 - a full disk must not cost the learner their answer
            log.exception("could not log the answer to %s", self.store.path)

    def new_conversation(self, session: dict | None) -> tuple[str, list, str, dict]:
        fresh = self.new_session()
        if session:
            fresh["id"] = session["id"]  # same browser session, new conversation
        return "", [], render.sources_panel([]), fresh

    def build(self, unit: gr.Dropdown, starters: list[str], glossary_html: str) -> tuple:
        """The tab's components and events (inside a ``gr.Tab``); returns the components the unit picker updates
        (the starter questions and the glossary)."""
        session = gr.State(self.new_session)
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                # No copy buttons: they would copy the answer's HTML, not its text.
                chat = gr.Chatbot(label="Conversation", height=520, feedback_options=None, elem_id="chat", buttons=[])
                with gr.Row():
                    box = gr.Textbox(placeholder="Ask a question about the unit…", show_label=False, scale=5,
                                     max_lines=6, elem_id="question")
                    send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask-button")
                new = gr.Button("New conversation", size="sm", elem_id="new-conversation")
                parts = self.help.layout() if self.help is not None else None
                examples = gr.Examples([[q] for q in starters], inputs=[box], label="Starter questions")
            with gr.Column(scale=2):
                gr.Markdown("### Sources")
                panel = gr.HTML(render.sources_panel([]), elem_id="sources-panel")
                with gr.Accordion("Glossary of the unit's acronyms", open=False):
                    glossary = gr.HTML(glossary_html, elem_id="glossary")
        outputs = [box, chat, panel, session]
        if parts is not None:
            self.help.wire(parts, box, chat, panel, session, unit)
        send.click(self.ask, [box, chat, session, unit], outputs, api_name="ask")
        box.submit(self.ask, [box, chat, session, unit], outputs, api_visibility="private")
        for clear in (new.click, chat.clear):  # the chat's own bin icon must forget the history too
            clear(self.new_conversation, [session], outputs, api_visibility="private")
        return examples.dataset, glossary
