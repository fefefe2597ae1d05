""""Help me work it out" in the Ask tab: the learner gets hints instead of the answer (hint 1, then hint 2 on
request), tries an answer (checked like a quiz answer), and sees the full answer after the try or on request.
The logic is ``study.hints``; these handlers only keep the session's hint state and draw it.

>>> flow = HelpFlow(ask_tab, unit_title=str)                                          # doctest: +SKIP
>>> box, chat, panel, session, hint, shown = flow.start("What is X?", [], None, None)  # doctest: +SKIP
"""

from __future__ import annotations

import logging
from html import escape
from typing import Callable

import gradio as gr

from ..errors import TutorError
from ..learners.accounts import learner_of
from ..question import clean_text
from ..study.hints import hints_for
from . import render, render_study

log = logging.getLogger(__name__)
PRIVATE = {"api_visibility": "private"}
NO_HINTS = "There is nothing to work out from the unit for this one, so here is the tutor's reply."


class HelpFlow:
    def __init__(self, ask, unit_title: Callable[[str], str] = lambda slug: slug):
        self.ask_tab, self.unit_title = ask, unit_title

    def start(self, message: str, chat: list | None, session: dict | None, unit: str | None = None,
              request: gr.Request = None):
        """Ask, then show hint 1 in place of the answer: (box, chat, panel, session, hint state, controls)."""
        session = session or self.ask_tab.new_session()
        chat = list(chat or [])
        turn, before = session["turn"] + 1, list(session["blocks"])
        shown = escape(clean_text(message), quote=False)
        if shown:
            chat.append({"role": "user", "content": shown[:600]})
        try:
            answer = self.ask_tab.tutor.ask(message, session["questions"], unit=unit or None)
        except TutorError as exc:
            chat.append({"role": "assistant", "content": render.error_html(str(exc))})
            return "", chat, render.sources_panel(before), session, None, gr.update(visible=False)
        self.ask_tab.finish(message, answer, answer.passages, session, turn, learner_of(request, session["id"]),
                            unit or "")
        hints = hints_for(answer, message, self.unit_title)
        if hints is None:
            chat.append({"role": "assistant", "content": f'<p class="no-hints">{NO_HINTS}</p>'
                         + render.answer_html(answer, turn)})
            return "", chat, render.sources_panel(session["blocks"]), session, None, gr.update(visible=False)
        state = {"hints": hints, "answer": answer, "turn": turn, "level": 1}
        chat.append({"role": "assistant", "content": render_study.hint_html(1, hints)})
        # The passages stay hidden too: their highlighted sentence would give the answer away.
        return "", chat, render.sources_panel(before), session, state, gr.update(visible=True)

    def more(self, chat: list, state: dict | None):
        """Hint 2: the answering sentence with the key span blanked."""
        if not state:
            return chat, state
        state["level"] = 2
        chat = list(chat)
        chat[-1] = {"role": "assistant", "content": render_study.hint_html(2, state["hints"])}
        return chat, state

    def attempt(self, response: str, chat: list, session: dict, state: dict | None):
        """The learner's try: checked like a quiz answer, then the full answer (an empty try is asked again)."""
        if not state:
            return response, chat, gr.skip(), state, gr.update()
        result = state["hints"].attempt(response)
        if not result.attempted:
            return response, chat, gr.skip(), state, gr.update()
        return self._reveal(chat, session, state, render_study.tried_html(result.correct, state["hints"]))

    def reveal(self, chat: list, session: dict, state: dict | None):
        """The full answer on request."""
        if not state:
            return "", chat, gr.skip(), state, gr.update(visible=False)
        return self._reveal(chat, session, state, "")

    @staticmethod
    def _reveal(chat: list, session: dict, state: dict, head: str):
        chat = list(chat)
        levels = render_study.hint_html(state["level"], state["hints"])
        chat[-1] = {"role": "assistant", "content": levels + head + render.answer_html(state["answer"], state["turn"])}
        return "", chat, render.sources_panel(session["blocks"]), None, gr.update(visible=False)

    @staticmethod
    def layout() -> dict:
        """The button beside Ask, and the hint controls under the chat (shown while hints replace an answer)."""
        parts = {"state": gr.State(None), "help": gr.Button("Help me work it out", elem_id="help-button", size="sm")}
        with gr.Column(visible=False, elem_id="hint-controls") as parts["controls"]:
            with gr.Row():
                parts["try"] = gr.Textbox(label="Your answer", elem_id="hint-try", scale=4)
                parts["check"] = gr.Button("Check my answer", variant="primary", elem_id="hint-check", scale=1)
            with gr.Row():
                parts["more"] = gr.Button("Another hint", elem_id="hint-more", size="sm")
                parts["reveal"] = gr.Button("Show me the answer", elem_id="hint-reveal", size="sm")
        return parts

    def wire(self, p: dict, box, chat, panel, session, unit) -> None:
        state, controls, attempt = p["state"], p["controls"], p["try"]
        p["help"].click(self.start, [box, chat, session, unit], [box, chat, panel, session, state, controls],
                        api_name="hint")  # public, like /ask: the load test asks for hints as a learner does
        p["more"].click(self.more, [chat, state], [chat, state], **PRIVATE)
        for event in (p["check"].click, attempt.submit):
            event(self.attempt, [attempt, chat, session, state], [attempt, chat, panel, state, controls], **PRIVATE)
        p["reveal"].click(self.reveal, [chat, session, state], [attempt, chat, panel, state, controls], **PRIVATE)
