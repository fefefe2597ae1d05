"""Scores on their way to the gradebook. ``record`` writes the score exactly as it will be sent (``lti_grade_sends``,
status ``pending``) and returns at once: the learner never waits for the platform. A background thread sends what is
due; a failure that may pass (the platform down, a 5xx, a timeout) is tried again after 2, 4, 8, 16 seconds, five
tries in all, then marked ``failed`` with the reason. A newer score for the same launch and unit replaces one still
pending (``superseded``): the gradebook wants the latest score, not every step. Each row keeps what was sent, the
tries, the last error, the platform's status code and when it arrived, for ``tutor lti grades``.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import datetime, timezone
from typing import Callable

from sqlalchemy import Engine, insert, select, update

from .ags import Gradebook
from .errors import GradeError
from .platforms import Platforms
from .score import MAXIMUM, Score
from .sessions import Sessions, Stored
from .tables import grade_sends, line_items

log = logging.getLogger(__name__)
MAX_TRIES = 5
FIRST_WAIT = 2.0  # seconds before the second try; doubled for each one after


def _utc() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class GradeQueue:
    def __init__(self, engine: Engine, gradebook: Gradebook, platforms: Platforms, title: Callable[[str], str],
                 first_wait: float = FIRST_WAIT, clock: Callable[[], float] = time.time):
        self.engine, self.gradebook, self.platforms = engine, gradebook, platforms
        self.sessions = Sessions(engine)
        self.title = title  # unit slug -> its title, for the label of a line item the tutor creates
        self.first_wait, self.clock = first_wait, clock
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread: threading.Thread | None = None
        self._sending = threading.Lock()

    def record(self, launch: Stored, score: Score) -> int:
        """Queue ``score`` for the launch's activity and unit; returns the send's id."""
        payload = {"userId": launch.sub, "scoreGiven": score.given, "scoreMaximum": MAXIMUM,
                   "activityProgress": score.progress, "gradingProgress": "FullyGraded", "timestamp": _utc(),
                   "comment": score.comment}
        with self.engine.begin() as conn:
            conn.execute(update(grade_sends).where(grade_sends.c.launch_id == launch.id, grade_sends.c.unit == launch.unit,
                                                   grade_sends.c.status == "pending").values(status="superseded"))
            row = conn.execute(insert(grade_sends).values(
                launch_id=launch.id, learner=launch.learner, unit=launch.unit, payload=json.dumps(payload),
                status="pending", tries=0, next_try=self.clock(), last_error="", line_item="",
                created=_utc())).inserted_primary_key[0]
        self._wake.set()
        return row

    def start(self) -> "GradeQueue":
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="lti-grades", daemon=True)
            self._thread.start()
        return self

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(10)

    def flush(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for every pending score to be sent or to fail; whether none is left."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._thread is None:
                self.send_due()
            if not self.sends(status="pending"):
                return True
            self._wake.set()
            time.sleep(0.1)
        return not self.sends(status="pending")

    def sends(self, learner: str | None = None, status: str | None = None) -> list[dict]:
        """The record: every send (newest first), with its payload, tries, status and last error."""
        query = select(grade_sends).order_by(grade_sends.c.id.desc())
        if learner:
            query = query.where(grade_sends.c.learner == learner)
        if status:
            query = query.where(grade_sends.c.status == status)
        with self.engine.connect() as conn:
            return [{**r._mapping, "payload": json.loads(r.payload)} for r in conn.execute(query)]

    def send_due(self) -> int:
        """Try every send that is due now; returns how many went through."""
        with self._sending:
            with self.engine.connect() as conn:
                due = conn.execute(select(grade_sends).where(grade_sends.c.status == "pending",
                                                             grade_sends.c.next_try <= self.clock())
                                   .order_by(grade_sends.c.id)).all()
            return sum(self._try(row) for row in due)

    def _try(self, row) -> bool:
        launch = self.sessions.stored(row.launch_id)  # the launch behind the send: its platform, line items, user
        platform = self.platforms.get(launch.platform_id) if launch else None
        tries = row.tries + 1
        try:
            if platform is None:
                raise GradeError("The launch or its platform is no longer registered.", retry=False)
            item = self._line_item(platform, launch, f"Practice: {self.title(row.unit)}")
            status = self.gradebook.post_score(platform, item, json.loads(row.payload))
        except GradeError as exc:
            final = not exc.retry or tries >= MAX_TRIES
            log.warning("grade send %s, try %d of %d: %s%s", row.id, tries, MAX_TRIES, exc,
                        "" if not final else " (giving up)")
            self._update(row.id, tries=tries, last_error=str(exc), response=exc.status,
                         status="failed" if final else "pending",
                         next_try=self.clock() + self.first_wait * 2 ** (tries - 1))
            return False
        self._update(row.id, tries=tries, status="sent", response=status, line_item=item, sent=_utc(), last_error="")
        return True

    def _line_item(self, platform, launch: Stored, label: str) -> str:
        """The line item for the launch's activity and unit: remembered once found or created."""
        if launch.ags.get("lineitem"):
            return str(launch.ags["lineitem"])
        where = dict(platform_id=platform.id, lineitems_url=str(launch.ags.get("lineitems") or ""),
                     resource_link_id=launch.resource_link_id, unit=launch.unit)
        with self.engine.connect() as conn:
            known = conn.execute(select(line_items.c.url).filter_by(**where)).scalar()
        if known:
            return known
        url = self.gradebook.line_item(platform, launch.ags, launch.resource_link_id, launch.unit, label)
        with self.engine.begin() as conn:
            if conn.execute(select(line_items.c.url).filter_by(**where)).scalar() is None:
                conn.execute(insert(line_items).values(**where, url=url, created=_utc()))
        return url

    def _update(self, send_id: int, **values) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(grade_sends).where(grade_sends.c.id == send_id).values(**values))

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.send_due()
            except Exception:  # noqa: BLE001 - a broken database must not end the sender; the next loop retries
                log.exception("grade sending failed; retrying shortly")
            self._wake.wait(1.0)
            self._wake.clear()
