"""The Review tab, for tutors: every logged answer, each sentence beside its cited passages; verdicts per citation,
citation accuracy by answerer, and export of reviewed answers as eval cases.

Every handler takes the session's review token (``None`` until unlocked) and the request, and asks the
``ReviewGate`` before touching the log: the page hiding a button protects nothing (see ``auth``).
"""

from __future__ import annotations

import gradio as gr

from ..errors import TutorError
from . import render
from .auth import ReviewGate
from .export import Downloads, export_cases
from .store import SETTLE_SECONDS, VERDICTS, WHOLE_ANSWER, Store, Verdict

PRIVATE = {"api_visibility": "private"}


def summarise(store: Store) -> dict:
    """Citation accuracy (share of citation verdicts that are ``correct``), overall and by answerer, how often the
    verifier agrees with the tutors (verifier "supported" vs tutor "correct"), and answers the log lost."""
    counts = dict.fromkeys(VERDICTS, 0)
    by_backend: dict[str, list[int]] = {}
    agree = compared = 0
    store.flush(SETTLE_SECONDS)  # answers this process just queued count too
    reviewed = store.reviewed()
    for chat, verdicts in reviewed:
        sentences = chat["answer"].get("sentences", [])
        for (s, _n), v in verdicts.items():
            if s < 0:
                continue  # a whole-answer verdict, not a citation
            counts[v["verdict"]] += 1
            tally = by_backend.setdefault(chat["backend"], [0, 0])
            tally[0] += v["verdict"] == "correct"
            tally[1] += 1
            compared += 1
            agree += bool(sentences[s]["supported"]) == (v["verdict"] == "correct")
    total = sum(counts.values())
    return {
        "logged": store.count(), "answers_reviewed": len(reviewed), "verdicts": total, "counts": counts,
        "accuracy": counts["correct"] / total if total else None,
        "by_backend": {b: {"correct": c, "verdicts": n, "accuracy": c / n} for b, (c, n) in sorted(by_backend.items())},
        "agreement": {"agree": agree, "compared": compared, "rate": agree / compared if compared else None},
        "lost": store.lost, "pending": store.pending,
    }


ALERT_HEADERS = ["time (UTC)", "level", "unit", "session", "message", "why (the part that raised it, score)", "seen",
                 "e-mail", "webhook"]


def alert_rows(alerts: list) -> list[list]:
    """The Review queue's rows; "why" is the alert's own ``part`` and ``score`` (stored with it, not a copy)."""
    return [[a.created.replace("T", " ").rstrip("Z"), a.level, a.unit or "(whole course)", a.session[:12], a.message,
             f"{a.part or a.message} ({a.score:.2f})", a.seen_at.replace("T", " ").rstrip("Z") if a.seen else "no",
             a.email, a.webhook] for a in alerts]


class ReviewTab:
    def __init__(self, store: Store, gate: ReviewGate, downloads: Downloads, alerts=None):
        self.store, self.gate, self.downloads, self.alerts = store, gate, downloads, alerts

    def enter(self, token: str | None, request: gr.Request) -> tuple[dict, dict, str]:
        """The tab opened: (review content visibility, password row visibility, message) for this request."""
        if self.gate.allows(token, request):
            return gr.update(visible=True), gr.update(visible=False), ""
        message = "" if self.gate.password else self.gate.refusal(request)
        return gr.update(visible=False), gr.update(visible=bool(self.gate.password)), message

    def unlock(self, password: str, token: str | None, request: gr.Request) -> tuple[dict, dict, str, str | None, str]:
        """(review content visibility, password row visibility, message, session token, password box)."""
        if self.gate.allows(token, request):
            return gr.update(visible=True), gr.update(visible=False), "", token, ""
        token, message = self.gate.unlock(password, request)
        ok = self.gate.allows(token, request)
        return gr.update(visible=ok), gr.update(visible=not ok and bool(self.gate.password)), message, token, ""

    def require(self, token: str | None, request: gr.Request) -> None:
        if not self.gate.allows(token, request):  # an expected refusal: a message, not a traceback in the server log
            raise gr.Error(self.gate.refusal(request), print_exception=False)

    def listing(self, filter: str, token: str | None, request: gr.Request) -> tuple[list[list], dict, str]:
        """(table rows, answer picker, summary) for the chosen filter."""
        self.require(token, request)
        chats = self.store.chats(filter or "all")
        choices = [(f"#{c['id']} · {c['question'][:70]}", c["id"]) for c in chats]
        return render.review_rows(chats), gr.update(choices=choices, value=None), self.summary(token, request)

    def refresh(self, filter: str, token: str | None, request: gr.Request):
        """Like ``listing`` but quietly does nothing while locked (it runs when the tab is opened)."""
        return self.listing(filter, token, request) if self.gate.allows(token, request) else (gr.skip(),) * 3

    def show(self, chat_id: int | None, token: str | None, request: gr.Request) -> str:
        self.require(token, request)
        return render.review_detail(self.store.chat(int(chat_id))) if chat_id else ""

    def form(self, chat_id: int | None, token: str | None, request: gr.Request) -> list[dict]:
        """The citations to judge on one answer: [{"key", "label", "choices", "verdict", "comment"}]."""
        self.require(token, request)
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

    def save(self, chat_id: int | None, keys: list[tuple[int, int]], values: list, token: str | None,
             request: gr.Request) -> str:
        """Save verdicts: ``values`` holds one verdict per key, then one comment per key."""
        self.require(token, request)
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

    def summary(self, token: str | None, request: gr.Request) -> str:
        self.require(token, request)
        numbers = summarise(self.store)
        text = render.summary_md(numbers)
        if numbers["lost"]:
            text += (f"\n\n**{numbers['lost']} answer{'s' if numbers['lost'] != 1 else ''} could not be logged** since "
                     "the app started (the database stayed locked or failing; the server log says why).")
        if numbers["pending"]:
            text += f"\n\n{numbers['pending']} answers are waiting to be written to the log."
        return text

    def alert_list(self, show_seen: bool, token: str | None, request: gr.Request) -> tuple[list[list], dict, str]:
        """Safeguarding alerts, unseen only or all: (table rows, a picker of the unseen ones, how many are unseen)."""
        self.require(token, request)
        everything = self.alerts.all() if self.alerts else []
        unseen = [a for a in everything if not a.seen]
        choices = [(f"{a.created} · {a.unit or 'whole course'} · {a.message[:60]}", a.id) for a in unseen]
        note = f"**{len(unseen)} alert{'s' * (len(unseen) != 1)} not yet marked seen.**" if unseen else "No unseen alerts."
        return alert_rows(everything if show_seen else unseen), gr.update(choices=choices, value=None), note

    def mark_seen(self, alert_id: str | None, show_seen: bool, token: str | None, request: gr.Request):
        """Mark the chosen alert seen, then the refreshed list (as ``alert_list``) and what happened."""
        self.require(token, request)
        if not alert_id or self.alerts is None:
            return *self.alert_list(show_seen, token, request)[:2], "Pick an alert to mark seen first."
        done = self.alerts.mark_seen(alert_id)
        rows, picker, note = self.alert_list(show_seen, token, request)
        return rows, picker, ("Marked seen. " if done else "That alert was already marked seen. ") + note

    def refresh_alerts(self, show_seen: bool, token: str | None, request: gr.Request):
        """Like ``alert_list`` but quietly does nothing while locked (it runs when the tab is opened)."""
        return self.alert_list(show_seen, token, request) if self.gate.allows(token, request) else (gr.skip(),) * 3

    def export(self, token: str | None, request: gr.Request) -> tuple[str, str]:
        """(a one-time download link, what was written): the file itself never passes through Gradio."""
        self.require(token, request)
        written, skipped = export_cases(self.store, self.downloads.path)
        note = f" ({skipped} skipped: no citation marked correct, or a decline marked wrong)" if skipped else ""
        return (self.downloads.link(request),
                f"Wrote {written} eval case{'s' if written != 1 else ''} to {self.downloads.path}{note}.")
