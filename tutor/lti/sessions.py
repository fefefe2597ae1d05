"""Launches and the browser sessions they sign in. A checked launch is stored under a random id, which is the value of
the ``tutor-lti`` cookie (HttpOnly); the app asks ``signed_in(cookie)`` on each request and gets a ``SignedIn``: the
learner key, name, teacher or not, the unit. Nothing about the person is in the cookie itself.

>>> from tutor.lti.tables import connect, platforms
>>> from tutor.lti.claims import Launch
>>> engine = connect("sqlite://")
>>> with engine.begin() as c: _ = c.execute(platforms.insert().values(id=1, issuer="i", client_id="c", auth_url="a",
...                                          token_url="t", jwks_url="j", created="now"))
>>> book = Sessions(engine)
>>> token = book.open(Launch(1, "d", "LtiResourceLinkRequest", "42", "lti:ab:42", "Ann", (), False), "psychology-memory")
>>> book.signed_in(token).unit, book.signed_in("made-up") is None
('psychology-memory', True)
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import Engine, delete, insert, select

from .claims import Launch
from .tables import grade_sends, launches

COOKIE = "tutor-lti"
SESSION_SECONDS = 8 * 3600  # a working day, like an unlocked Review tab; then launch again from the course page
KEEP_SECONDS = 120 * 86400  # launches (with their grade sends) are kept this long after they end, then deleted


@dataclass(frozen=True)
class SignedIn:
    """Who a browser session belongs to, as a launch established it."""
    launch_id: str
    learner: str
    name: str
    teacher: bool
    unit: str


@dataclass(frozen=True)
class Stored:
    """A stored launch, as grade sending needs it."""
    id: str
    platform_id: int
    sub: str
    learner: str
    unit: str
    resource_link_id: str
    ags: dict
    deep_link: dict
    deployment_id: str


class Sessions:
    def __init__(self, engine: Engine, clock: Callable[[], float] = time.time):
        self.engine, self.clock = engine, clock
        self._cache: dict[str, tuple[SignedIn | None, float]] = {}  # cookie -> (who, looked up at)
        self._lock = threading.Lock()

    def open(self, launch: Launch, unit: str) -> str:
        """Store a checked launch for ``unit`` and return the new session's cookie value."""
        token, now = secrets.token_urlsafe(32), self.clock()
        with self.engine.begin() as conn:
            conn.execute(delete(launches).where(launches.c.expires < now - KEEP_SECONDS))
            conn.execute(delete(grade_sends).where(grade_sends.c.launch_id.not_in(select(launches.c.id))))
            conn.execute(insert(launches).values(
                id=token, platform_id=launch.platform_id, deployment_id=launch.deployment_id, sub=launch.sub,
                learner=launch.learner, name=launch.name, roles=json.dumps(list(launch.roles)),
                instructor=launch.teacher, kind=launch.kind, context_id=launch.context_id,
                resource_link_id=launch.resource_link_id, unit=unit, ags=launch.to_json("ags"),
                deep_link=launch.to_json("deep_link"), created=now, expires=now + SESSION_SECONDS))
        return token

    def signed_in(self, token: str | None) -> SignedIn | None:
        """The session behind a cookie value, while it lasts (looked up at most every few seconds per cookie)."""
        if not token:
            return None
        now = self.clock()
        with self._lock:
            hit = self._cache.get(token)
        if hit and now - hit[1] < 5:
            return hit[0]
        with self.engine.connect() as conn:
            row = conn.execute(select(launches).where(launches.c.id == token, launches.c.expires > now)).first()
        who = SignedIn(row.id, row.learner, row.name, bool(row.instructor), row.unit) if row else None
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[token] = (who, now)
        return who

    def stored(self, launch_id: str) -> Stored | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(launches).where(launches.c.id == launch_id)).first()
        return _stored(row) if row else None

    def graded(self, learner: str, unit: str) -> Stored | None:
        """The learner's latest launch of an activity in ``unit`` that has a gradebook (AGS) to send scores to."""
        with self.engine.connect() as conn:
            row = conn.execute(select(launches).where(launches.c.learner == learner, launches.c.unit == unit,
                                                      launches.c.ags != "")
                               .order_by(launches.c.created.desc()).limit(1)).first()
        return _stored(row) if row else None


def _stored(row) -> Stored:
    return Stored(row.id, row.platform_id, row.sub, row.learner, row.unit, row.resource_link_id,
                  json.loads(row.ags) if row.ags else {}, json.loads(row.deep_link) if row.deep_link else {},
                  row.deployment_id)
