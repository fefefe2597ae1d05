"""The safeguarding queue: every disclosure or possible concern, written durably before the learner's reply is
shown, kept for ``TUTOR_ALERT_DAYS`` in the ``alerts`` table of ``TUTOR_DB``, and sent on to the DSL.

>>> alerts = AlertQueue.from_settings(settings)                                          # doctest: +SKIP
>>> alert_id = alerts.record("my dad hits me", "unit-25", "s1", "disclosure", 0.97)      # doctest: +SKIP
>>> [a.id for a in alerts.pending()] == [alert_id]; alerts.mark_seen(alert_id)         # doctest: +SKIP

Never lost: ``record`` retries a locked or failing database with growing pauses for ``write_seconds``; if it
still fails, the alert is logged as an error and kept, in memory and appended (fsynced) to ``unwritten`` (a 0600
JSONL file beside the database), and a background thread writes it later (also at the next start). Delivery by
e-mail or webhook happens in another thread (``Delivery``); its status is recorded on the row.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path

from .alert import OFF, Alert, utc_now
from .delivery import Delivery

log = logging.getLogger(__name__)
BUSY_SECONDS = 0.5  # how long one statement waits for another connection's lock
WRITE_SECONDS = 3.0  # how long record() keeps retrying before it keeps the alert aside (the reply waits this long)
REWRITE_EVERY = 5.0  # seconds between attempts to write alerts kept aside
PURGE_EVERY = 86400.0  # seconds between retention purges while the app runs
COLUMNS = ("id", "created", "unit", "session", "message", "level", "score", "part", "seen", "seen_at", "email",
           "webhook")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS alerts (
    id TEXT PRIMARY KEY,            -- random, chosen before the write
    created TEXT NOT NULL,          -- UTC, ISO 8601
    unit TEXT NOT NULL,             -- the unit chosen ('' for the whole course)
    session TEXT NOT NULL,          -- the random per-browser session id
    message TEXT NOT NULL,          -- what the learner wrote
    level TEXT NOT NULL,            -- disclosure | concern
    score REAL NOT NULL,            -- the classifier's score of the most serious part
    part TEXT NOT NULL DEFAULT '',  -- that part
    seen INTEGER NOT NULL DEFAULT 0,
    seen_at TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT 'off',    -- off | pending | sent | failed: <why>
    webhook TEXT NOT NULL DEFAULT 'off'
);
CREATE INDEX IF NOT EXISTS alerts_created ON alerts (created);
"""


def unwritten_path(db: Path) -> Path:
    return Path(f"{db}.alerts-unwritten.jsonl")


class AlertQueue:
    def __init__(self, path: Path | str, senders: list = (), keep_days: int | None = None,
                 write_seconds: float = WRITE_SECONDS, delivery: dict | None = None):
        self.path, self.keep_days, self.write_seconds = Path(path), keep_days, write_seconds
        self.unwritten = unwritten_path(self.path)
        self._aside: dict[str, Alert] = {}  # alerts not yet in the table, by id
        self._lock, self._ready = threading.Lock(), False
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
        self.delivery = Delivery(list(senders), self._report, **(delivery or {}))
        self._aside.update({a.id: a for a in self._read_unwritten()})
        try:
            self._execute(lambda conn: None)  # creates the table
            if keep_days:
                self.purge(keep_days)
        except sqlite3.Error:
            log.exception("safeguarding alerts: %s is not writable now; alerts are kept aside until it is", self.path)
        self._rewrite()
        threading.Thread(target=self._keep_writing, name="safeguarding-alert-writer", daemon=True).start()

    @classmethod
    def from_settings(cls, settings) -> "AlertQueue":
        from .email import EmailSender
        from .webhook import WebhookSender

        senders = [s for s in (EmailSender.from_settings(settings), WebhookSender.from_settings(settings)) if s]
        return cls(settings.db, senders, keep_days=settings.alert_days)

    # ---- writing ----------------------------------------------------------------------------------------------
    def record(self, message: str, unit: str | None, session: str, level: str, score: float, part: str = "") -> str:
        """Write one alert durably (retrying), then queue its delivery; returns its id. Never raises: an alert
        that cannot be written is logged as an error and kept aside (memory and the unwritten file)."""
        names = {s.name for s in self.delivery.senders}
        alert = Alert.new(message, unit, session, level, score, part, "email" in names, "webhook" in names)
        if not self._write_patiently(alert):
            self._keep_aside(alert)
        self.delivery.send(alert)
        return alert.id

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=BUSY_SECONDS)
        conn.execute("PRAGMA secure_delete = ON")  # a purged alert is overwritten, not left in free pages
        return conn

    def _execute(self, work):
        with closing(self._connect()) as conn, conn:
            if not self._ready:
                conn.executescript(_SCHEMA)
                self._ready = True
            return work(conn)

    def _insert(self, conn: sqlite3.Connection, alert: Alert) -> None:
        row = alert.to_json() | {"seen": int(alert.seen)}
        conn.execute(f"INSERT OR IGNORE INTO alerts ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
                     [row[c] for c in COLUMNS])

    def _write_patiently(self, alert: Alert) -> bool:
        delay, deadline = 0.05, time.monotonic() + self.write_seconds
        while True:
            try:
                self._execute(lambda conn: self._insert(conn, alert))
                return True
            except sqlite3.Error as exc:
                if time.monotonic() + delay > deadline:
                    log.error("safeguarding alert %s could not be written to %s (%s: %s); kept aside in %s and "
                              "retried every %.0f s", alert.id, self.path, type(exc).__name__, exc, self.unwritten,
                              REWRITE_EVERY)
                    return False
                time.sleep(delay)
                delay = min(delay * 2, 0.5)

    def _keep_aside(self, alert: Alert) -> None:
        with self._lock:
            self._aside[alert.id] = alert
            try:
                fd = os.open(self.unwritten, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
                with os.fdopen(fd, "a", encoding="utf-8") as out:
                    out.write(json.dumps(alert.to_json(), ensure_ascii=False) + "\n")
                    out.flush()
                    os.fsync(out.fileno())
            except OSError:
                log.exception("safeguarding alert %s: could not be kept in %s either; it is held in memory only",
                              alert.id, self.unwritten)

    def _read_unwritten(self) -> list[Alert]:
        try:
            lines = self.unwritten.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        found = []
        for line in lines:
            try:
                found.append(Alert(**json.loads(line)))
            except (ValueError, TypeError):  # a line cut short by a crash mid-write
                log.error("safeguarding alerts: skipped an unreadable line of %s: %r", self.unwritten, line[:200])
        return found

    def _rewrite(self) -> int:
        """Write the alerts kept aside; when all are in the table, the unwritten file goes. Returns how many."""
        with self._lock:
            aside = list(self._aside.values())
            if not aside:
                return 0
            try:
                self._execute(lambda conn: [self._insert(conn, a) for a in aside])
            except sqlite3.Error:
                return 0
            for a in aside:
                self._aside.pop(a.id, None)
            self.unwritten.unlink(missing_ok=True)  # every alert it held is in the table now
            log.warning("safeguarding alerts: %d alert(s) kept aside are now written to %s", len(aside), self.path)
            return len(aside)

    def _keep_writing(self) -> None:
        next_purge = time.monotonic() + PURGE_EVERY
        while True:
            time.sleep(REWRITE_EVERY)
            self._rewrite()
            if self.keep_days and time.monotonic() >= next_purge:
                next_purge = time.monotonic() + PURGE_EVERY
                try:
                    self.purge(self.keep_days)
                except sqlite3.Error:
                    log.exception("safeguarding alerts: the daily purge failed")

    # ---- reading and the DSL's actions ------------------------------------------------------------------------
    def all(self, limit: int = 500) -> list[Alert]:
        """Alerts, newest first, including any kept aside (not yet in the table)."""
        rows = self._execute(lambda conn: conn.execute(
            f"SELECT {', '.join(COLUMNS)} FROM alerts ORDER BY created DESC, rowid DESC LIMIT ?", (limit,)).fetchall())
        found = [Alert(**dict(zip(COLUMNS, r)) | {"seen": bool(r[8])}) for r in rows]
        with self._lock:
            aside = [a for a in self._aside.values() if a.id not in {f.id for f in found}]
        return sorted(aside, key=lambda a: a.created, reverse=True) + found

    def pending(self) -> list[Alert]:
        """Alerts no DSL has marked seen, newest first."""
        return [a for a in self.all() if not a.seen]

    def get(self, alert_id: str) -> Alert | None:
        return next((a for a in self.all(limit=100_000) if a.id == alert_id), None)

    def mark_seen(self, alert_id: str) -> bool:
        """Mark one alert seen (now, UTC); False when there is no such alert or it was already seen."""
        with self._lock:
            if alert_id in self._aside:
                self._aside[alert_id] = self._aside[alert_id].replace(seen=True, seen_at=utc_now())
                return True
        return self._execute(lambda conn: conn.execute(
            "UPDATE alerts SET seen = 1, seen_at = ? WHERE id = ? AND seen = 0", (utc_now(), alert_id)).rowcount) == 1

    def purge(self, days: int) -> int:
        """Delete alerts created more than ``days`` days ago (``TUTOR_ALERT_DAYS``); returns how many."""
        def delete(conn: sqlite3.Connection) -> int:
            return conn.execute("DELETE FROM alerts WHERE created < ?", (utc_now(days),)).rowcount

        deleted = self._execute(delete)
        with closing(self._connect()) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the deleted rows leave the write-ahead log too
        return deleted

    def _report(self, alert_id: str, channel: str, status: str) -> None:
        """The delivery thread's result for one channel (email | webhook), kept on the alert."""
        with self._lock:
            if alert_id in self._aside:
                self._aside[alert_id] = self._aside[alert_id].replace(**{channel: status})
                return
        for pause in (0.1, 0.5, 2.0, 5.0, None):
            try:
                self._execute(lambda conn: conn.execute(f"UPDATE alerts SET {channel} = ? WHERE id = ?",
                                                        (status, alert_id)))
                return
            except sqlite3.Error:
                if pause is None:
                    log.error("safeguarding alert %s: could not record its %s status %r", alert_id, channel, status)
                    return
                time.sleep(pause)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait for queued deliveries and try once more to write alerts kept aside; True when nothing is left."""
        self._rewrite()
        return self.delivery.flush(timeout) and not self._aside
