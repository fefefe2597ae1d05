"""The platforms (VLEs) registered with ``tutor lti add-platform``, and their deployment ids. A launch from an
issuer, client id or deployment that is not here is refused.

>>> from tutor.lti.tables import connect
>>> reg = Platforms(connect("sqlite://"))
>>> p = reg.add("https://moodle.example.ac.uk", "abc123", "https://moodle.example.ac.uk/mod/lti/auth.php",
...             "https://moodle.example.ac.uk/mod/lti/token.php", "https://moodle.example.ac.uk/mod/lti/certs.php",
...             ["1"])
>>> reg.find("https://moodle.example.ac.uk", "abc123").deployments, reg.find("https://other.example", "abc123")
(('1',), None)
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.exc import IntegrityError

from .errors import LtiError
from .tables import deployments, platforms


@dataclass(frozen=True)
class Platform:
    id: int
    issuer: str
    client_id: str
    auth_url: str
    token_url: str
    jwks_url: str
    audience: str  # aud of the tool's token requests; token_url when the platform names none
    name: str
    deployments: tuple[str, ...]


def _check_url(label: str, flag: str, url: str) -> None:
    parts = urlsplit(url or "")
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise LtiError(f"The {label} must be an https:// (or, on a test machine, http://) URL; got {url!r}. Give it with {flag}.")


class Platforms:
    def __init__(self, engine: Engine):
        self.engine = engine

    def add(self, issuer: str, client_id: str, auth_url: str, token_url: str, jwks_url: str,
            deployment_ids: list[str], audience: str = "", name: str = "", replace: bool = False) -> Platform:
        """Register a platform (or, with ``replace``, change one already registered for this issuer and client)."""
        _check_url("issuer", "--issuer", issuer)
        for label, flag, url in (("authentication request URL", "--auth-url", auth_url),
                                 ("access token URL", "--token-url", token_url),
                                 ("public keyset URL", "--jwks-url", jwks_url)):
            _check_url(label, flag, url)
        if not client_id:
            raise LtiError("The client id is empty. Copy the platform's Client ID into --client-id.")
        ids = sorted({d.strip() for d in deployment_ids if d and d.strip()})
        if not ids:
            raise LtiError("Give at least one deployment id (--deployment-id), as the platform shows it.")
        # the issuer is kept exactly as given: tokens are compared with it character for character
        row = dict(issuer=issuer, client_id=client_id,
                   auth_url=auth_url, token_url=token_url, jwks_url=jwks_url, audience=audience or "",
                   name=name or urlsplit(issuer).netloc, created=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
        with self.engine.begin() as conn:
            existing = self._id(conn, issuer, client_id)
            if existing is not None and not replace:
                raise LtiError(f"{issuer} with client id {client_id} is already registered. Add --replace to change "
                               "it, or remove it first: tutor lti remove-platform.")
            if existing is not None:
                conn.execute(delete(platforms).where(platforms.c.id == existing))
            try:
                pid = conn.execute(insert(platforms).values(**row)).inserted_primary_key[0]
            except IntegrityError:  # registered by someone else at the same moment
                raise LtiError(f"{issuer} with client id {client_id} is already registered.") from None
            conn.execute(insert(deployments), [{"platform_id": pid, "deployment_id": d} for d in ids])
        return self.find(issuer, client_id)

    def remove(self, issuer: str, client_id: str) -> None:
        with self.engine.begin() as conn:
            pid = self._id(conn, issuer, client_id)
            if pid is None:
                raise LtiError(f"No platform {issuer} with client id {client_id}. See: tutor lti platforms")
            conn.execute(delete(deployments).where(deployments.c.platform_id == pid))
            conn.execute(delete(platforms).where(platforms.c.id == pid))

    def find(self, issuer: str, client_id: str | None = None) -> Platform | None:
        """The registration of ``issuer`` (and ``client_id``, needed when the issuer has more than one)."""
        found = [p for p in self.all() if p.issuer == issuer and client_id in (None, "", p.client_id)]
        return found[0] if len(found) == 1 else None

    def get(self, platform_id: int) -> Platform | None:
        return next((p for p in self.all() if p.id == platform_id), None)

    def all(self) -> list[Platform]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(platforms).order_by(platforms.c.id)).all()
            deps = conn.execute(select(deployments).order_by(deployments.c.deployment_id)).all()
        return [Platform(r.id, r.issuer, r.client_id, r.auth_url, r.token_url, r.jwks_url, r.audience or r.token_url,
                         r.name, tuple(d.deployment_id for d in deps if d.platform_id == r.id)) for r in rows]

    @staticmethod
    def _id(conn, issuer: str, client_id: str) -> int | None:
        return conn.execute(select(platforms.c.id).where(platforms.c.issuer == issuer,
                                                         platforms.c.client_id == client_id)).scalar()
