"""Each alert delivered once, however many app processes share the database.

A sender first claims the alert's channel (``pending`` -> ``sending: <when>``, one conditional UPDATE, so only one
process wins), and every process sweeps for alerts still ``pending`` ``STALE_SECONDS`` after they were recorded
(their process died before claiming), reading them with ``FOR UPDATE SKIP LOCKED`` on Postgres so sweepers never
wait on one another; the claim, not the sweep, makes sure only one of them sends each. An alert whose process died while sending stays ``sending: <when>`` for the
DSL to see in the Review queue: sending it again could tell the DSL twice.
"""

from __future__ import annotations

import logging

from sqlalchemy import or_, select, true, update

from ..storage.tables import alerts as table
from .alert import PENDING, Alert, utc_now

log = logging.getLogger(__name__)
STALE_SECONDS = 30.0  # an alert still pending this long was recorded by a process that died before sending it
SWEEP_BATCH = 20  # alerts one sweep takes at most
COLUMNS = ("id", "created", "unit", "session", "message", "level", "score", "part", "seen", "seen_at", "email",
           "webhook")


def alert_of(row) -> Alert:
    return Alert(**dict(zip(COLUMNS, row)) | {"seen": bool(row[8])})


class OnceDelivery:
    """``AlertQueue``'s claims and sweeps (it provides ``_execute``, ``_lock``, ``_aside`` and ``delivery``)."""

    def claim(self, alert_id: str, channel: str) -> bool:
        """Take ``channel`` (email | webhook) of one alert for sending: True for exactly one caller, in whichever
        process, while it is pending (an alert kept aside is this process's own)."""
        status = f"sending: {utc_now()}"
        with self._lock:
            if alert_id in self._aside:
                if getattr(self._aside[alert_id], channel) != PENDING:  # sent (or being sent) before a restart
                    return False
                self._set_aside(self._aside[alert_id].replace(**{channel: status}))
                return True
        column = table.c[channel]
        return self._execute(lambda conn: conn.execute(
            update(table).where(table.c.id == alert_id, column == PENDING).values({channel: status})).rowcount) == 1

    def sweep(self) -> int:
        """Queue for delivery the alerts still pending ``STALE_SECONDS`` after they were recorded (their process
        died first); returns how many. Rows another sweeper holds are skipped, not waited for."""
        channels = [table.c[s.name] for s in self.delivery.senders]  # only what this process can send
        if not channels:
            return 0
        stale = utc_now(STALE_SECONDS / 86400)
        swept = self._swept  # queued here already: its claim is on its way

        def take(conn) -> list[Alert]:
            rows = conn.execute(select(*[table.c[c] for c in COLUMNS])
                                .where(or_(*[c == PENDING for c in channels]), table.c.created < stale,
                                       table.c.id.not_in(swept) if swept else true())
                                .order_by(table.c.created).limit(SWEEP_BATCH)
                                .with_for_update(skip_locked=True)).all()  # plain SELECT on SQLite
            return [alert_of(r) for r in rows]

        found = self._execute(take)
        swept.update(a.id for a in found)
        for alert in found:
            log.warning("safeguarding alert %s: still undelivered %.0f s after it was recorded; sending it now",
                        alert.id, STALE_SECONDS)
            self.delivery.send(alert)
        return len(found)
