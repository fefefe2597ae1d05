"""Chat logs and tutor reviews in the app's database (``TUTOR_DATABASE_URL``, else the SQLite file ``TUTOR_DB``).

>>> store = Store("data/tutor.sqlite3")                                           # doctest: +SKIP
>>> chat = store.log("What is a budget?", [], answer, session="s1")              # doctest: +SKIP
>>> store.save_reviews(chat, [Verdict(sentence=0, citation=1, verdict="correct")])  # doctest: +SKIP
1

A review is one verdict per (sentence, cited passage): ``correct``, ``wrong`` or ``missing-better-passage`` (the
passage does not make the point as well as another would). Declined and safeguarding answers cite nothing; their
review is one verdict on the whole answer, stored as sentence -1, citation 0 (``correct`` = rightly declined).

Privacy: the file is created 0600 (its folder 0700 when made here), deleted rows are overwritten, and with
``keep_days`` logs older than that are deleted when the store opens and once a day while the app runs.
Faults: a SQLite connection waits at most ``BUSY_SECONDS`` for a lock; a Postgres pool checks each connection
before use, so a restarted server costs only the writes in flight, which the writer retries. With ``background=True`` (the app) ``log`` only
queues the answer, so a learner never waits on the database; a writer thread retries a failed write with backoff
for up to ``retry_seconds``, then counts the row in ``lost`` and logs an error.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..errors import TutorError
from ..learners import db
from ..storage import database_of, tables
from ..storage.engine import checkpoint, shown, url_of

log = logging.getLogger(__name__)
BUSY_SECONDS = db.BUSY_SECONDS
RETRY_SECONDS = 120.0  # how long the background writer keeps retrying one answer before counting it lost
SETTLE_SECONDS = 2.0  # how long a read waits for this process's queued answers, so the Review tab sees them
PURGE_EVERY = 86400.0  # seconds between retention purges while the app runs
VERDICTS = ("correct", "wrong", "missing-better-passage")
FILTERS = ("all", "unreviewed", "failed verification", "declined", "safeguarding")
WHOLE_ANSWER = (-1, 0)  # (sentence, citation) of a verdict on a declined or safeguarding answer

_WHERE = {
    "all": "1 = 1",
    "unreviewed": "NOT EXISTS (SELECT 1 FROM reviews r WHERE r.chat_id = c.id)",
    "failed verification": "c.status = 'answered' AND c.verified = 0",
    "declined": "c.status = 'declined'",
    "safeguarding": "c.status = 'safeguarding'",
}


@dataclass(frozen=True)
class Verdict:
    sentence: int  # index into the answer's sentences (-1: the whole answer)
    citation: int  # the cited passage number n (0: the whole answer)
    verdict: str
    comment: str = ""


def utc_now(days_ago: float = 0) -> str:
    """UTC as stored in ``created``: ``2026-11-28T14:37:50Z``."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - days_ago * 86400))


class Store:
    def __init__(self, path: Path | str, log_chats: bool = True, background: bool = False,
                 keep_days: int | None = None, retry_seconds: float = RETRY_SECONDS):
        self.path = Path(path) if "://" not in str(path) else None  # the SQLite file, if it is one
        self.where, self.log_chats, self.keep_days = shown(url_of(path)), log_chats, keep_days
        self.retry_seconds, self.lost = retry_seconds, 0
        self.engine = db.create(path)  # every table (0600 for a SQLite file), migrated to this version
        if keep_days:
            self.purge(before=utc_now(keep_days))
        self._queue: queue.Queue | None = queue.Queue(maxsize=10_000) if background else None
        if background:
            threading.Thread(target=self._write_queued, name="chat-log-writer", daemon=True).start()

    @classmethod
    def from_settings(cls, settings) -> "Store":  # the app's: writes in the background, keeps TUTOR_LOG_DAYS
        return cls(database_of(settings), settings.log_chats, background=True, keep_days=settings.log_days)

    def log(self, question: str, history, answer, session: str = "", learner: str = "", unit: str = ""
            ) -> int | None:
        """Store one finished answer (an ``Answer``) with who asked (``learner``: the signed-in name, else the
        session id) in which unit; returns its id, or None when logging is off or queued."""
        if not self.log_chats:
            return None
        row = dict(session=session, created=utc_now(), question=question,
                   history=json.dumps(list(history), ensure_ascii=False), status=answer.status, backend=answer.backend,
                   reason=answer.reason, verified=int(answer.verified),
                   answer=json.dumps(answer.to_json(), ensure_ascii=False), learner=learner or session, unit=unit or "",
                   on_question=int(getattr(answer, "on_question", True)))
        if self._queue is None:
            return self._insert(row)
        try:
            self._queue.put_nowait(row)
        except queue.Full:
            self._lose("the queue of answers waiting to be written is full")
        return None

    def _insert(self, row: dict) -> int:
        with self.engine.begin() as conn:
            # not RETURNING: SQLite before 3.35 (RHEL 9's Python) has no such clause
            return conn.execute(tables.chats.insert(), row).inserted_primary_key[0]

    def _write_queued(self) -> None:
        """The background writer: queued answers in order, and the daily retention purge."""
        next_purge = time.monotonic() + PURGE_EVERY
        while True:
            try:
                self._write_patiently(self._queue.get(timeout=3600))
                self._queue.task_done()
            except queue.Empty:
                pass
            if self.keep_days and time.monotonic() >= next_purge:
                next_purge = time.monotonic() + PURGE_EVERY
                try:
                    self.purge(before=utc_now(self.keep_days))
                except SQLAlchemyError:
                    log.exception("chat log: the daily purge of logs older than %d days failed", self.keep_days)

    def _write_patiently(self, row: dict) -> None:
        """Retry a busy or failing database with growing pauses until ``retry_seconds`` have passed."""
        delay, deadline = 0.05, time.monotonic() + self.retry_seconds
        while True:
            try:
                self._insert(row)
                return
            except Exception as exc:  # noqa: BLE001 - the writer thread must outlive any one row
                if not db.transient(exc) or time.monotonic() + delay > deadline:
                    self._lose(f"{type(exc).__name__}: {exc}")
                    return
                time.sleep(delay)
                delay = min(delay * 2, 2.0)

    def _lose(self, why: str) -> None:
        self.lost += 1
        log.error("chat log: an answer could not be written to %s (%s); %d lost since start", self.where, why, self.lost)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every queued answer is written or counted lost; True when none is left."""
        deadline = time.monotonic() + timeout
        while self.pending and time.monotonic() < deadline:
            time.sleep(0.01)
        return not self.pending

    @property
    def pending(self) -> int:  # answers queued and not yet written (nor counted lost)
        return self._queue.unfinished_tasks if self._queue is not None else 0

    def purge(self, before: str | None = None, session: str | None = None, learner: str | None = None) -> int:
        """Delete logged answers (their reviews go with them), and learners' practice cards and card reviews,
        from before ``before`` (an ISO date or time, UTC) and/or of one ``session`` or ``learner``; returns how many
        answers. With none of them, nothing is deleted."""
        with self.engine.begin() as conn:
            deleted = db.purge(conn, before=before, learner=learner, session=session)
        checkpoint(self.engine)
        return deleted["chats"]

    def chats(self, filter: str = "all", limit: int = 200) -> list[dict]:
        """Logged answers, newest first, with how many verdicts each has."""
        if filter not in _WHERE:
            raise TutorError(f"Unknown review filter {filter!r}. Use one of: {', '.join(FILTERS)}.")
        self.flush(SETTLE_SECONDS)
        sql = (f"SELECT c.id, c.created, c.question, c.status, c.backend, c.reason, c.verified, "
               f"(SELECT COUNT(*) FROM reviews r WHERE r.chat_id = c.id) AS verdicts "
               f"FROM chats c WHERE {_WHERE[filter]} ORDER BY c.id DESC LIMIT :limit")
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(text(sql), {"limit": limit}).mappings()]

    def chat(self, chat_id: int) -> dict:
        with self.engine.connect() as conn:
            row = conn.execute(text("SELECT * FROM chats WHERE id = :id"), {"id": chat_id}).mappings().first()
        if row is None:
            raise TutorError(f"No logged answer #{chat_id}. Pick one from the list (Refresh to update it).")
        out = dict(row)
        out["history"], out["answer"] = json.loads(out["history"]), json.loads(out["answer"])
        return out

    def reviews(self, chat_id: int) -> dict[tuple[int, int], dict]:
        """{(sentence, citation): {"verdict", "comment", "updated"}} for one answer."""
        with self.engine.connect() as conn:
            rows = conn.execute(text("SELECT * FROM reviews WHERE chat_id = :id"), {"id": chat_id}).mappings().all()
        return {(r["sentence"], r["citation"]): {k: r[k] for k in ("verdict", "comment", "updated")} for r in rows}

    def save_reviews(self, chat_id: int, verdicts: list[Verdict]) -> int:
        """Save (or replace) verdicts for one answer after checking each names a real citation of it."""
        chat = self.chat(chat_id)
        sentences = chat["answer"].get("sentences", [])  # what a tutor can judge: each citation, or the whole answer
        valid = ({WHOLE_ANSWER} if chat["status"] != "answered" or not sentences
                 else {(i, n) for i, s in enumerate(sentences) for n in s["citations"]})
        for v in verdicts:
            if v.verdict not in VERDICTS:
                raise TutorError(f"A verdict must be one of {', '.join(VERDICTS)}; got {v.verdict!r}.")
            if (v.sentence, v.citation) not in valid:
                raise TutorError(f"Answer #{chat_id} has no citation [{v.citation}] on sentence {v.sentence + 1}.")
        with self.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO reviews (chat_id, sentence, citation, verdict, comment, updated) "
                "VALUES (:chat_id, :sentence, :citation, :verdict, :comment, :updated) "
                "ON CONFLICT (chat_id, sentence, citation) DO UPDATE SET verdict = excluded.verdict, "
                "comment = excluded.comment, updated = excluded.updated"),
                [dict(chat_id=chat_id, sentence=v.sentence, citation=v.citation, verdict=v.verdict,
                      comment=v.comment.strip(), updated=utc_now()) for v in verdicts])
        return len(verdicts)

    def reviewed(self) -> list[tuple[dict, dict]]:
        """Every answer with at least one verdict, oldest first, with its verdicts."""
        with self.engine.connect() as conn:
            ids = [r[0] for r in conn.execute(text("SELECT DISTINCT chat_id FROM reviews ORDER BY chat_id"))]
        return [(chat, self.reviews(chat["id"])) for chat in (self.chat(i) for i in ids)]

    def count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(text("SELECT COUNT(*) FROM chats")).scalar_one()

