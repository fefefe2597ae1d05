"""The safeguarding queue: every disclosure or possible concern, written durably before the learner's reply is
shown, kept for ``TUTOR_ALERT_DAYS`` in the ``alerts`` table of the app's database (``TUTOR_DATABASE_URL``, else the
SQLite file ``TUTOR_DB``), and sent on to the DSL.

>>> alerts = AlertQueue.from_settings(settings)                                          # doctest: +SKIP
>>> alert_id = alerts.record("my dad hits me", "unit-25", "s1", "disclosure", 0.97)      # doctest: +SKIP
>>> [a.id for a in alerts.pending()] == [alert_id]; alerts.mark_seen(alert_id)         # doctest: +SKIP

Never lost: ``record`` retries a locked or failing database with growing pauses for ``write_seconds``; if it
still fails, the alert is logged as an error and kept, in memory and appended (fsynced) to ``unwritten`` (a 0600
JSONL file beside the database), and a background thread writes it later (also at the next start). Delivery by
e-mail or webhook happens in another thread (``Delivery``); its status is recorded on the row.

Delivered once, however many app processes share the database: see ``once.py``.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from pathlib import Path

from sqlalchemy import select, text, update
from sqlalchemy.exc import SQLAlchemyError

from ..storage import database_of, open_database
from ..storage.engine import checkpoint, shown, url_of
from ..storage.tables import alerts as table
from .alert import Alert, utc_now
from .delivery import Delivery
from .once import COLUMNS, OnceDelivery, alert_of

log = logging.getLogger(__name__)
WRITE_SECONDS = 3.0  # how long record() keeps retrying before it keeps the alert aside (the reply waits this long)
REWRITE_EVERY = 5.0  # seconds between attempts to write alerts kept aside
PURGE_EVERY = 86400.0  # seconds between retention purges while the app runs


def unwritten_path(db: Path) -> Path:
    return Path(f"{db}.alerts-unwritten.jsonl")


class AlertQueue(OnceDelivery):
    def __init__(self, path: Path | str, senders: list = (), keep_days: int | None = None,
                 write_seconds: float = WRITE_SECONDS, delivery: dict | None = None, unwritten: Path | None = None):
        """``path``: a SQLite file or a database URL; ``unwritten``: where alerts the database refused are kept
        (default: beside the SQLite file; with a URL, name a local file)."""
        self.target, self.where = str(path), shown(url_of(path))
        self.path = Path(path) if "://" not in self.target else None  # the SQLite file, if it is one
        self.keep_days, self.write_seconds = keep_days, write_seconds
        self.unwritten = unwritten or unwritten_path(self.path or Path("data/tutor.sqlite3"))
        self._aside: dict[str, Alert] = {}  # alerts not yet in the table, by id
        self._swept: set[str] = set()  # stale alerts this process has queued for delivery (once.sweep)
        self._lock, self._engine = threading.Lock(), None
        self.unwritten.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if self.path:
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
        self.delivery = Delivery(list(senders), self._report, claim=self.claim, **(delivery or {}))
        self._aside.update({a.id: a for a in self._read_unwritten()})  # the last line per alert wins
        self._execute(lambda conn: None)  # opens and migrates the database; DatabaseUnreachable names the setting
        try:
            if keep_days:
                self.purge(keep_days)
        except SQLAlchemyError:
            log.exception("safeguarding alerts: the retention purge in %s failed; it runs again tomorrow", self.where)
        self._rewrite()
        threading.Thread(target=self._keep_writing, name="safeguarding-alert-writer", daemon=True).start()

    @classmethod
    def from_settings(cls, settings) -> "AlertQueue":
        from .email import EmailSender
        from .webhook import WebhookSender

        senders = [s for s in (EmailSender.from_settings(settings), WebhookSender.from_settings(settings)) if s]
        return cls(database_of(settings), senders, keep_days=settings.alert_days, unwritten=unwritten_path(settings.db))

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

    def _execute(self, work):
        """``work(conn)`` in one transaction (the engine is opened, and the database migrated, on first use)."""
        if self._engine is None:
            self._engine = open_database(self.target)
        with self._engine.begin() as conn:
            return work(conn)

    def _insert(self, conn, alert: Alert) -> None:
        row = alert.to_json() | {"seen": int(alert.seen)}
        conn.execute(text(f"INSERT INTO alerts ({', '.join(COLUMNS)}) VALUES ({', '.join(':' + c for c in COLUMNS)}) "
                          "ON CONFLICT (id) DO NOTHING"), {c: row[c] for c in COLUMNS})

    def _write_patiently(self, alert: Alert) -> bool:
        delay, deadline = 0.05, time.monotonic() + self.write_seconds
        while True:
            try:
                self._execute(lambda conn: self._insert(conn, alert))
                return True
            except SQLAlchemyError as exc:
                if time.monotonic() + delay > deadline:
                    log.error("safeguarding alert %s could not be written to %s (%s: %s); kept aside in %s and "
                              "retried every %.0f s", alert.id, self.where, type(exc).__name__, exc, self.unwritten,
                              REWRITE_EVERY)
                    return False
                time.sleep(delay)
                delay = min(delay * 2, 0.5)

    def _keep_aside(self, alert: Alert) -> None:
        with self._lock:
            self._set_aside(alert)

    def _set_aside(self, alert: Alert) -> None:
        """Keep ``alert`` (or its new delivery status) aside: in memory and appended to the unwritten file, whose
        last line per alert is the one read back after a restart (so one sent before a crash is not sent again).
        The caller holds the lock."""
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
            except SQLAlchemyError:
                return 0
            for a in aside:
                self._aside.pop(a.id, None)
            self.unwritten.unlink(missing_ok=True)  # every alert it held is in the table now
            log.warning("safeguarding alerts: %d alert(s) kept aside are now written to %s", len(aside), self.where)
            return len(aside)

    def _keep_writing(self) -> None:
        next_purge = time.monotonic() + PURGE_EVERY
        while True:
            time.sleep(REWRITE_EVERY)
            self._rewrite()
            try:
                self.sweep()
                if self.keep_days and time.monotonic() >= next_purge:
                    next_purge = time.monotonic() + PURGE_EVERY
                    self.purge(self.keep_days)
            except SQLAlchemyError:
                log.exception("safeguarding alerts: the sweep for undelivered alerts or the daily purge failed")

    # ---- reading and the DSL's actions ------------------------------------------------------------------------
    def all(self, limit: int = 500) -> list[Alert]:
        """Alerts, newest first, including any kept aside (not yet in the table)."""
        rows = self._execute(lambda conn: conn.execute(
            select(*[table.c[c] for c in COLUMNS]).order_by(table.c.created.desc(), table.c.id).limit(limit)).all())
        found = [alert_of(r) for r in rows]
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
        return self._execute(lambda conn: conn.execute(  # one conditional UPDATE: one DSL wins, in any process
            text("UPDATE alerts SET seen = 1, seen_at = :now WHERE id = :id AND seen = 0"),
            {"now": utc_now(), "id": alert_id}).rowcount) == 1

    def purge(self, days: int) -> int:
        """Delete alerts created more than ``days`` days ago (``TUTOR_ALERT_DAYS``); returns how many."""
        deleted = self._execute(lambda conn: conn.execute(text("DELETE FROM alerts WHERE created < :before"),
                                                          {"before": utc_now(days)}).rowcount)
        checkpoint(self._engine)  # the deleted rows leave SQLite's write-ahead log too
        return deleted

    def _report(self, alert_id: str, channel: str, status: str) -> None:
        """The delivery thread's result for one channel (email | webhook), kept on the alert."""
        with self._lock:
            if alert_id in self._aside:
                self._set_aside(self._aside[alert_id].replace(**{channel: status}))
                return
        for pause in (0.1, 0.5, 2.0, 5.0, None):
            try:
                self._execute(lambda conn: conn.execute(update(table).where(table.c.id == alert_id)
                                                        .values({channel: status})))
                return
            except SQLAlchemyError:
                if pause is None:
                    log.error("safeguarding alert %s: could not record its %s status %r", alert_id, channel, status)
                    return
                time.sleep(pause)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait for queued deliveries and try once more to write alerts kept aside; True when nothing is left."""
        self._rewrite()
        return self.delivery.flush(timeout) and not self._aside
