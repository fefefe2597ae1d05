"""The Review tab, for tutors: every logged answer, each sentence beside its cited passages; verdicts per citation,
citation accuracy by answerer, and export of reviewed answers as eval cases. Open without a password only when
the app listens on loopback; every handler checks on the server."""

from __future__ import annotations

import hmac
import ipaddress
from pathlib import Path

import gradio as gr

from ..errors import TutorError
from . import render
from .store import FILTERS, VERDICTS, WHOLE_ANSWER, Store, Verdict

PRIVATE = {"api_visibility": "private"}
LOCKED = "Enter the review password to see logged answers."
NEEDS_PASSWORD = ("The Review tab shows every learner's questions, so it needs TUTOR_REVIEW_PASSWORD when the app "
                  "listens beyond this machine. Set it and restart.")


def loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ReviewTab:
    def __init__(self, store: Store, password: str, host: str, export_path: Path):
        self.store, self.password, self.export_path = store, password, Path(export_path)
        # Without a password the tab is only open when nobody else can reach the app.
        self.open = bool(password) or loopback(host)

    def unlock(self, password: str, unlocked: bool) -> tuple[dict, dict, str, bool]:
        """Checked on the server: (review content visibility, password row visibility, message, unlocked)."""
        if not self.open:
            return gr.update(visible=False), gr.update(visible=False), NEEDS_PASSWORD, False
        ok = bool(unlocked) or not self.password or hmac.compare_digest(
            (password or "").encode(), self.password.encode())
        message = "" if ok else "That password is not right."
        return gr.update(visible=ok), gr.update(visible=not ok), message, ok

    def require(self, unlocked: bool) -> None:
        if not (self.open and unlocked):
            raise gr.Error(LOCKED if self.open else NEEDS_PASSWORD)

    def listing(self, filter: str, unlocked: bool) -> tuple[list[list], dict, str]:
        """(table rows, answer picker, summary) for the chosen filter."""
        self.require(unlocked)
        chats = self.store.chats(filter or "all")
        choices = [(f"#{c['id']} · {c['question'][:70]}", c["id"]) for c in chats]
        return render.review_rows(chats), gr.update(choices=choices, value=None), self.summary(unlocked)

    def refresh(self, filter: str, unlocked: bool):
        """Like ``listing`` but quietly does nothing while locked (it runs when the tab is opened)."""
        return self.listing(filter, unlocked) if self.open and unlocked else (gr.skip(),) * 3

    def show(self, chat_id: int | None, unlocked: bool) -> str:
        self.require(unlocked)
        return render.review_detail(self.store.chat(int(chat_id))) if chat_id else ""

    def form(self, chat_id: int | None, unlocked: bool) -> list[dict]:
        """The citations to judge on one answer: [{"key", "label", "choices", "verdict", "comment"}]."""
        self.require(unlocked)
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

    def save(self, chat_id: int | None, keys: list[tuple[int, int]], values: list, unlocked: bool) -> str:
        """Save verdicts: ``values`` holds one verdict per key, then one comment per key."""
        self.require(unlocked)
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

    def summary(self, unlocked: bool) -> str:
        self.require(unlocked)
        return render.summary_md(self.store.summary())

    def export(self, unlocked: bool) -> tuple[str | None, str]:
        self.require(unlocked)
        written, skipped = self.store.export_cases(self.export_path)
        note = f" ({skipped} skipped: no citation marked correct, or a decline marked wrong)" if skipped else ""
        return str(self.export_path), f"Wrote {written} eval case{'s' if written != 1 else ''} to {self.export_path}{note}."
