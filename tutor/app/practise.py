"""The Practise tab: fill-in-the-gap items made from the unit (and, with a hosted model, short-answer items it
wrote and the unit's words confirmed), checked tolerantly, with a score for the session. Each item is an FSRS card
per learner (``learners.schedule.Deck``): cards due come first, then new ones; a wrong answer shows the passage."""

from __future__ import annotations

import logging
import time
import uuid
from typing import Callable

import gradio as gr

from ..study import checking, model_items
from ..learners.accounts import learner_of
from ..learners.schedule import Deck
from ..study.items import QuizItem
from . import render_study

log = logging.getLogger(__name__)
PRIVATE = {"api_visibility": "private"}


class PractiseTab:
    """The quiz of the unit the learner picked (``items(unit)``); a session's state remembers which."""

    def __init__(self, items: Callable[[str], list[QuizItem]], deck: Deck,
                 on_review: Callable[[str, str], object] | None = None):
        self.items, self.deck = items, deck
        self.on_review = on_review  # (learner, unit) after each stored answer: LTI sends the score to the gradebook

    def add_model_items(self, chunks, complete: Callable[[str], str], limit: int, unit: str = "") -> int:
        """Append quiz questions a model wrote (``complete``: prompt -> reply) to the unit's quiz, each kept only
        when it checks out against its passage. Returns how many were added."""
        try:
            found, rejected = model_items.model_items(chunks, complete, limit)
        except Exception:  # noqa: BLE001 - the deterministic items remain; say why in the log
            log.exception("model-written quiz items failed; the quiz keeps its fill-the-gap items")
            return 0
        for reason in rejected:
            log.info("quiz item rejected: %s", reason)
        self.items(unit).extend(found)  # list.extend is atomic: sessions see the longer list from their next item
        log.info("quiz: %d model-written items added, %d passages gave none", len(found), len(rejected))
        return len(found)

    @staticmethod
    def new_quiz(unit: str = "") -> dict:
        """A session's quiz: the item shown (``index``), when (``shown``), why (due/new/ahead) and the score."""
        return {"index": 0, "correct": 0, "attempted": 0, "checked": [], "unit": unit or "", "id": uuid.uuid4().hex,
                "shown": time.monotonic(), "why": "new"}

    def card(self, state: dict) -> str:
        items = self.items(state["unit"])
        item = items[state["index"]] if items else None
        return render_study.due_note(state.get("why", "")) + render_study.quiz_card(item, state["index"] + 1, len(items))

    @staticmethod
    def learner(state: dict, request: gr.Request = None) -> str:
        """The signed-in learner's name, else this browser session (anonymous)."""
        return learner_of(request, state["id"])

    def check(self, response: str, state: dict | None, request: gr.Request = None) -> tuple[str, str, dict]:
        """Check an answer: (feedback HTML, score, state). Only the first try at an item counts, and schedules
        its card (rated from correctness and the time since the card was shown)."""
        state = state or self.new_quiz()
        items = self.items(state["unit"])
        if not items:
            return "", render_study.score_text(state), state
        item = items[state["index"]]
        result = checking.check(item, response)
        if result.attempted and item.id not in state["checked"]:
            state["checked"].append(item.id)
            state["attempted"] += 1
            state["correct"] += int(result.correct)
            seconds = max(0.0, time.monotonic() - state.get("shown", time.monotonic()))
            try:
                self.deck.review(self.learner(state, request), item, result.correct, seconds)
                if self.on_review is not None:
                    self.on_review(self.learner(state, request), state["unit"])  # queued; never waits on the VLE
            except Exception:  # noqa: BLE001 - a locked database must not cost the learner their feedback
                log.exception("could not store the practice card or queue its score")
        return render_study.feedback(result, item), render_study.score_text(state), state

    def next(self, state: dict | None, request: gr.Request = None) -> tuple[str, str, str, dict]:
        """Move on to the most overdue card, else a new one: (card HTML, cleared answer, cleared feedback, state)."""
        state = state or self.new_quiz()
        ids = [i.id for i in self.items(state["unit"])]
        current = ids[state["index"]] if state["index"] < len(ids) else ""
        index, why = self.deck.pick(self.learner(state, request), ids, skip=current)
        state["index"], state["why"], state["shown"] = index or 0, why, time.monotonic()
        state["checked"] = [c for c in state["checked"] if c != (ids[index] if index is not None else "")]
        return self.card(state), "", "", state

    def enter(self, state: dict | None, request: gr.Request = None):
        """The tab opened: the first time in a session, start from the card most overdue for this learner (a
        signed-in learner's cards from earlier days); afterwards leave the card as it is. (card, state)"""
        state = state or self.new_quiz()
        if state.get("entered") or state["attempted"]:
            return gr.skip(), state
        ids = [i.id for i in self.items(state["unit"])]
        index, why = self.deck.pick(self.learner(state, request), ids)
        state.update(index=index or 0, why=why or "new", shown=time.monotonic(), entered=True)
        return self.card(state), state

    def switch(self, unit: str, state: dict | None = None, request: gr.Request = None) -> tuple[str, str, str, str, dict]:
        """Another unit picked: its first card (due, else new), score reset (card, answer, feedback, score, state)."""
        state = {**self.new_quiz(unit), "id": state["id"]} if state else self.new_quiz(unit)
        ids = [i.id for i in self.items(unit or "")]
        index, why = self.deck.pick(self.learner(state, request), ids)
        state["index"], state["why"] = index or 0, why or "new"
        return self.card(state), "", "", render_study.score_text(state), state

    def build(self) -> tuple:
        """The tab's components and events; returns what the unit picker resets."""
        qstate = gr.State(self.new_quiz)
        card = gr.HTML(self.card(self.new_quiz()), elem_id="quiz-card")
        reply = gr.Textbox(label="Your answer", elem_id="quiz-answer")
        with gr.Row():
            check = gr.Button("Check", variant="primary", elem_id="quiz-check")
            nxt = gr.Button("Next question", elem_id="quiz-next")
        feedback = gr.HTML(elem_id="quiz-feedback")
        score = gr.Markdown(render_study.score_text(self.new_quiz()), elem_id="quiz-score")
        check.click(self.check, [reply, qstate], [feedback, score, qstate], api_name="check")
        reply.submit(self.check, [reply, qstate], [feedback, score, qstate], **PRIVATE)
        nxt.click(self.next, [qstate], [card, reply, feedback, qstate], api_name="next_card")
        return card, reply, feedback, score, qstate
