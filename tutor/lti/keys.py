"""The tool's own RSA key pairs: one signs (client assertions for grades, deep-linking responses), every key not
retired is published at ``/lti/jwks``. Rotation without downtime is three steps, each taking effect at once in the
running app (it reads this table on every use):

1. ``add()``: a new key is published but does not sign yet, so platforms that cache our key set can fetch it;
2. ``use(kid)``: it signs from now on; the old key stays published, so what it signed still verifies;
3. ``retire(kid)``: the old key is no longer published.

>>> from tutor.lti.tables import connect
>>> ring = ToolKeys(connect("sqlite://"))
>>> first = ring.signing().kid
>>> second = ring.add()
>>> ring.use(second); [k["kid"] for k in ring.jwks()["keys"]] == sorted([first, second])
True
>>> ring.retire(first); [k["kid"] for k in ring.jwks()["keys"]] == [second]
True
"""

from __future__ import annotations

import json
import threading
import time
import uuid

from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy import Engine, insert, select, update

from .errors import LtiError
from .tables import keys as table

ALGORITHM = "RS256"  # the one LTI 1.3 requires every platform to accept
KEY_BITS = 2048


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class ToolKeys:
    def __init__(self, engine: Engine):
        self.engine = engine
        self._lock = threading.Lock()

    def signing(self) -> RSAKey:
        """The key that signs now; the first call on an empty table makes one."""
        with self._lock, self.engine.begin() as conn:
            row = conn.execute(select(table.c.private_jwk).where(table.c.signing.is_(True))).first()
            if row is None:
                kid = self._insert(conn, signing=True)
                row = conn.execute(select(table.c.private_jwk).where(table.c.kid == kid)).first()
        return RSAKey.import_key(json.loads(row.private_jwk))

    def add(self) -> str:
        """Publish a new key that does not sign yet; returns its kid."""
        self.signing()  # the first key, if there is none, signs
        with self.engine.begin() as conn:
            return self._insert(conn, signing=False)

    def use(self, kid: str) -> None:
        """Sign with ``kid`` from now on (it must be published)."""
        with self._lock, self.engine.begin() as conn:
            row = conn.execute(select(table.c.retired).where(table.c.kid == kid)).first()
            if row is None or row.retired:
                raise LtiError(f"No published key {kid!r}. See: tutor lti keys list")
            conn.execute(update(table).values(signing=False))
            conn.execute(update(table).where(table.c.kid == kid).values(signing=True))

    def retire(self, kid: str) -> None:
        """Stop publishing ``kid``. The signing key cannot be retired: switch first (``use``)."""
        with self._lock, self.engine.begin() as conn:
            row = conn.execute(select(table.c.signing, table.c.retired).where(table.c.kid == kid)).first()
            if row is None or row.retired:
                raise LtiError(f"No published key {kid!r}. See: tutor lti keys list")
            if row.signing:
                raise LtiError(f"{kid} is the key that signs. Add a new key and use it first: tutor lti keys add, "
                               "then tutor lti keys use NEW_KID.")
            conn.execute(update(table).where(table.c.kid == kid).values(retired=_now()))

    def listing(self) -> list[dict]:
        """[{kid, created, signing, retired}], oldest first."""
        self.signing()
        with self.engine.connect() as conn:
            rows = conn.execute(select(table.c.kid, table.c.created, table.c.signing, table.c.retired)
                                .order_by(table.c.created, table.c.kid)).all()
        return [dict(r._mapping) for r in rows]

    def jwks(self) -> dict:
        """The public key set platforms fetch: every key not retired."""
        self.signing()
        with self.engine.connect() as conn:
            rows = conn.execute(select(table.c.public_jwk).where(table.c.retired.is_(None))
                                .order_by(table.c.kid)).all()
        return {"keys": [json.loads(r.public_jwk) for r in rows]}

    def sign(self, claims: dict) -> str:
        """A compact JWT of ``claims`` signed with the signing key, its kid in the header."""
        key = self.signing()
        return jwt.encode({"alg": ALGORITHM, "kid": key.kid}, claims, key, algorithms=[ALGORITHM])

    @staticmethod
    def _insert(conn, signing: bool) -> str:
        kid = uuid.uuid4().hex
        key = RSAKey.generate_key(KEY_BITS, parameters={"kid": kid, "alg": ALGORITHM, "use": "sig"})
        conn.execute(insert(table).values(kid=kid, private_jwk=json.dumps(key.as_dict(private=True)),
                                          public_jwk=json.dumps(key.as_dict(private=False)), created=_now(),
                                          signing=signing, retired=None))
        return kid
