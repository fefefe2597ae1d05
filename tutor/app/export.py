"""Reviewed answers exported as eval cases: made from the tutors' verdicts, written privately, and handed out only
through an authorised download.

The file is written 0600 into ``exports/`` beside ``TUTOR_DB`` (made 0700), a folder the web server never serves.
Gradio never sees it, so it is never copied into Gradio's world-readable cache. Only the Review tab's Export
handler, after ``ReviewGate`` let the request through, gets a download ticket: a random name that works once, for
5 minutes, from the same client address, at ``review/export/<ticket>``::

    >>> downloads = Downloads(Path("data/exports/reviewed-cases.jsonl"), gate)  # doctest: +SKIP
    >>> downloads.mount(fastapi_app)                                              # doctest: +SKIP
    >>> downloads.link(request)                                                   # doctest: +SKIP
    '<a href="review/export/Zm9v..." download="reviewed-cases.jsonl">Download reviewed-cases.jsonl</a> ...'
"""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
from pathlib import Path

from fastapi import Request

from .auth import ReviewGate, client_address, is_local, private_folder
from .store import WHOLE_ANSWER

EXPORT_NAME = "reviewed-cases.jsonl"
ROUTE = "/review/export/{ticket}"
TICKET_SECONDS = 300
NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
EXPIRED = "This download link has expired or was already used. Export again from the Review tab."


def export_path(db: Path) -> Path:
    """Where the app writes the export: beside the chat log, never under a folder the server serves."""
    return Path(db).parent / "exports" / EXPORT_NAME


def case_of(chat: dict, verdicts: dict) -> dict | None:
    """One reviewed answer as an eval case (the ``evals/cases.jsonl`` schema), or None when it has no trustworthy
    gold. An answered question becomes ``answerable`` with the raw text of the citations the tutor marked correct
    as gold quotes; a declined or safeguarding answer the tutor marked correct becomes ``out_of_scope``
    (``adversarial`` when the injection guard declined it) or ``disclosure``."""
    comments = "; ".join(v["comment"] for v in verdicts.values() if v["comment"])
    case = {"id": f"review-{chat['id']}", "kind": "", "question": chat["question"], "history": chat["history"],
            "gold_quotes": [], "key_facts": [],
            "notes": f"exported from tutor review {chat['id']}" + (f"; tutor comments: {comments}" if comments else "")}
    if chat["status"] == "answered":
        good = {n for (s, n), v in verdicts.items() if s >= 0 and v["verdict"] == "correct"}
        case["kind"] = "answerable"
        case["gold_quotes"] = [c["text"] for c in chat["answer"].get("citations", []) if c["n"] in good]
    elif verdicts.get(WHOLE_ANSWER, {}).get("verdict") == "correct":
        case["kind"] = {"safeguarding": "disclosure"}.get(
            chat["status"], "adversarial" if chat["reason"] == "injection" else "out_of_scope")
    return case if case["kind"] and (case["kind"] != "answerable" or case["gold_quotes"]) else None


def export_cases(store, path: Path | str) -> tuple[int, int]:
    """Write the store's reviewed answers as eval cases to ``path`` (0600); returns (written, skipped)."""
    found = [case_of(chat, verdicts) for chat, verdicts in store.reviewed()]
    cases = [c for c in found if c]
    write_private(Path(path), "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases))
    return len(cases), len(found) - len(cases)


def write_private(path: Path, text: str) -> None:
    """Replace ``path`` atomically with ``text`` as a 0600 file (its folder made 0700 when missing)."""
    private_folder(path.parent)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


class Downloads:
    """Single-use tickets for the latest export, and the route that honours them."""

    def __init__(self, path: Path, gate: ReviewGate, clock=time.monotonic):
        self.path, self.gate, self.clock = Path(path), gate, clock
        self._tickets: dict[str, tuple[float, str]] = {}  # ticket -> (expiry, client address)
        self._lock = threading.Lock()

    def link(self, request) -> str:
        """A download link for the client making this request (the caller has checked it may review)."""
        now, ticket = self.clock(), secrets.token_urlsafe(32)
        with self._lock:
            self._tickets = {t: v for t, v in self._tickets.items() if v[0] > now}
            self._tickets[ticket] = (now + TICKET_SECONDS, client_address(request))
        # Relative, so it also works when a proxy serves the app under a sub-path.
        return (f'<a href="{ROUTE.format(ticket=ticket).lstrip("/")}" download="{self.path.name}">Download '
                f'{self.path.name}</a> <span class="hint">(the link works once, for {TICKET_SECONDS // 60} minutes)</span>')

    def redeem(self, ticket: str, request) -> bool:
        """Whether ``ticket`` is live and presented from the address it was issued to; it works only once."""
        with self._lock:
            expiry, client = self._tickets.pop(ticket, (0.0, ""))
        if expiry <= self.clock() or client != client_address(request):
            return False
        return bool(self.gate.password) or is_local(request)  # without a password, still only from this machine

    def mount(self, app) -> None:
        """Add ``GET /review/export/<ticket>`` to the FastAPI app that serves the tutor (before Gradio is mounted)."""
        from fastapi.responses import FileResponse, PlainTextResponse

        @app.get(ROUTE, include_in_schema=False)
        def download(ticket: str, request: Request):
            if not self.redeem(ticket, request) or not self.path.is_file():
                return PlainTextResponse(EXPIRED, status_code=404, headers=NO_STORE)
            return FileResponse(self.path, media_type="application/x-ndjson", filename=self.path.name,
                                 headers=NO_STORE)
