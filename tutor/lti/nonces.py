"""OIDC login state and nonces: the login step writes a fresh (state, nonce) pair; the launch that follows must bring
back that state and a token carrying that nonce, within ``LOGIN_SECONDS``, once. Spending is one conditional
UPDATE, so two launches racing with the same token cannot both win.

>>> from tutor.lti.tables import connect, platforms
>>> engine = connect("sqlite://")
>>> with engine.begin() as c: _ = c.execute(platforms.insert().values(id=1, issuer="i", client_id="c", auth_url="a",
...                                          token_url="t", jwks_url="j", created="now"))
>>> book = Nonces(engine)
>>> state, nonce = book.issue(1, "https://tutor.example/lti/launch")
>>> book.spend(state, nonce, 1)
>>> book.spend(state, nonce, 1)
Traceback (most recent call last):
tutor.lti.errors.Refused: This launch has already been used. Open the activity again from your course page.
"""

from __future__ import annotations

import secrets
import time
from typing import Callable

from sqlalchemy import Engine, delete, insert, select, update

from .errors import AGAIN, Refused
from .tables import nonces

LOGIN_SECONDS = 600  # from the login step to the launch: the platform's sign-in page may sit in between
KEEP_SECONDS = 86400  # spent and stale rows are deleted after a day


class Nonces:
    def __init__(self, engine: Engine, clock: Callable[[], float] = time.time):
        self.engine, self.clock = engine, clock

    def issue(self, platform_id: int, target_link_uri: str = "") -> tuple[str, str]:
        state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = self.clock()
        with self.engine.begin() as conn:
            conn.execute(delete(nonces).where(nonces.c.created < now - KEEP_SECONDS))
            conn.execute(insert(nonces).values(state=state, nonce=nonce, platform_id=platform_id,
                                               target_link_uri=target_link_uri or "", created=now, used=None))
        return state, nonce

    def spend(self, state: str, nonce: str, platform_id: int) -> None:
        """Mark the pair used, or raise ``Refused`` saying why it cannot be."""
        now = self.clock()
        with self.engine.begin() as conn:
            spent = conn.execute(update(nonces).where(
                nonces.c.state == state, nonces.c.nonce == nonce, nonces.c.platform_id == platform_id,
                nonces.c.used.is_(None), nonces.c.created >= now - LOGIN_SECONDS).values(used=now)).rowcount
            if spent == 1:
                return
            row = conn.execute(select(nonces).where(nonces.c.state == state)).first()
        if row is None:
            raise Refused(f"This launch did not start from a sign-in the tutor knows. {AGAIN}", "unknown state")
        if row.nonce != nonce or row.platform_id != platform_id:
            raise Refused(f"This launch does not match its sign-in. {AGAIN}", "nonce does not match the login's")
        if row.used is not None:
            raise Refused(f"This launch has already been used. {AGAIN}", "nonce replayed")
        raise Refused(f"This launch took too long to arrive. {AGAIN}", "login older than 10 minutes")
