"""Who may read learners' logs: the Review tab, decided on the server for every request (a raw ``/gradio_api/queue/join`` call runs
a handler whatever the page shows, so hiding a button or an API name protects nothing).

- With ``TUTOR_REVIEW_PASSWORD``: the tutor unlocks with it and the session gets a token, kept in Gradio's
  server-side session state (never sent to the browser); every Review handler checks it. Wrong passwords are
  limited per client address: 3 free tries, then a wait that doubles with each further miss (1 s, 2 s, 4 s, ... up
  to 5 minutes), during which tries are refused unchecked. The compare is constant-time.
- Without it: only while the app listens on loopback, and only for a request whose socket peer is loopback and
  that carries no proxy header. ``tutor serve`` runs uvicorn with proxy headers off, so the peer cannot be spoofed
  with ``X-Forwarded-For``. The limit: a reverse proxy on this machine that adds no proxy header makes every
  visitor look local, so set a password before putting the app behind one.
- On disk: the chat log and exports are created 0600, in folders created 0700 (``private_file``,
  ``private_folder``); the server never serves them as files.

>>> gate = ReviewGate("s3cret", "127.0.0.1")
>>> token, message = gate.unlock("s3cret", Peer("10.0.0.7"))
>>> gate.allows(token, Peer("10.0.0.7")), gate.allows(None, Peer("127.0.0.1"))
(True, False)
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError

FREE_TRIES = 3  # wrong passwords allowed before the waits start
MAX_WAIT = 300.0  # seconds: the longest wait between tries
TOKEN_SECONDS = 8 * 3600  # an unlocked session stays unlocked for a working day
PROXY_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")
NEEDS_PASSWORD = ("The Review tab shows every learner's questions, so it needs TUTOR_REVIEW_PASSWORD when the app "
                  "listens beyond this machine. Set it and restart.")
LOCAL_ONLY = ("Without TUTOR_REVIEW_PASSWORD the Review tab opens only in a browser on the machine running the tutor "
              "(not through a proxy). Set TUTOR_REVIEW_PASSWORD and restart to review from elsewhere.")
LOCKED = "Enter the review password to see logged answers."
WRONG = "That password is not right."


def loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_exposure(host: str, password: str) -> None:
    """Refuse to serve beyond loopback without a review password: the Review tab holds learners' disclosures."""
    if not password and not loopback(host):
        raise ConfigError(f"TUTOR_HOST={host} lets other machines reach the app, and the Review tab shows every "
                          "learner's questions: set TUTOR_REVIEW_PASSWORD (or TUTOR_HOST=127.0.0.1) and start again.")


def private_folder(folder: Path) -> None:
    """Create ``folder`` and any missing parents as 0700; folders that already exist are left alone."""
    for missing in reversed([p for p in (folder, *folder.parents) if not p.exists()]):
        missing.mkdir(mode=0o700, exist_ok=True)


def private_file(path: Path) -> None:
    """Create ``path`` (empty) as 0600, and tighten our own existing file and its SQLite siblings to 0600."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if p.exists() and p.stat().st_uid == os.getuid():
            p.chmod(0o600)



@dataclass(frozen=True)
class Peer:
    """A stand-in for a request (tests, doctests): the client address and headers."""
    host: str
    headers: dict = field(default_factory=dict)

    @property
    def client(self) -> "Peer":
        return self


def signed_in_as(request, what: str):
    """What the server's sign-in middleware (``tutor.lti.routes``) put on the request's state: ``learner``,
    ``learner_name``, ``tutor`` (a teacher of the course) or ``unit``; None when nothing, or no request."""
    try:
        return getattr(getattr(request, "state", None), what, None)
    except Exception:  # noqa: BLE001 - a stand-in request without state is simply not signed in
        return None


def client_address(request) -> str:
    client = getattr(request, "client", None)
    return str(getattr(client, "host", "") or "") if client else ""


def is_local(request) -> bool:
    """The socket peer is loopback and no proxy forwarded the request (a missing request is not local)."""
    if request is None or not loopback(client_address(request)):
        return False
    headers = getattr(request, "headers", None) or {}
    return not any(headers.get(name) for name in PROXY_HEADERS)


class ReviewGate:
    def __init__(self, password: str, host: str, clock=time.monotonic):
        self.password, self.clock = password, clock
        # Without a password the tab only exists when nobody else can reach the app.
        self.open = bool(password) or loopback(host)
        self._tokens: dict[str, float] = {}  # token -> expiry
        self._misses: dict[str, tuple[int, float]] = {}  # client address -> (wrong tries, refused until)
        self._lock = threading.Lock()

    def allows(self, token: str | None, request) -> bool:
        """Whether this request may see or change reviews."""
        if not self.open:
            return False
        if signed_in_as(request, "tutor") is True:  # a teacher of the course, as their LTI launch's roles say
            return True
        if not self.password:
            return is_local(request)
        with self._lock:
            return bool(token) and self._tokens.get(token, 0.0) > self.clock()

    def refusal(self, request) -> str:
        """Why ``allows`` said no, as a message for the tutor."""
        if not self.open:
            return NEEDS_PASSWORD
        return LOCKED if self.password else LOCAL_ONLY

    def unlock(self, password: str, request) -> tuple[str | None, str]:
        """(a new session token, "") for the right password, else (None, why not)."""
        if not self.password:
            return None, "" if self.allows(None, request) else self.refusal(request)
        client, now = client_address(request), self.clock()
        with self._lock:
            misses, until = self._misses.get(client, (0, 0.0))
            if now < until:
                return None, f"Too many wrong passwords from this address. Wait {until - now:.0f} seconds, then try again."
            if not _same(password or "", self.password):
                misses += 1
                wait = 0.0 if misses < FREE_TRIES else min(2.0 ** (misses - FREE_TRIES), MAX_WAIT)
                self._remember(client, (misses, now + wait))
                return None, WRONG
            self._misses.pop(client, None)
            token = secrets.token_urlsafe(32)
            self._tokens = {t: e for t, e in self._tokens.items() if e > now}
            self._tokens[token] = now + TOKEN_SECONDS
            return token, ""

    def _remember(self, client: str, entry: tuple[int, float]) -> None:
        if len(self._misses) > 10_000:  # bounded: forget clients whose wait is over
            self._misses = {c: m for c, m in self._misses.items() if m[1] > self.clock()}
        self._misses[client] = entry


def _same(given: str, expected: str) -> bool:
    """Constant-time, and the digests hide the password's length too."""
    return hmac.compare_digest(hashlib.sha256(given.encode()).digest(), hashlib.sha256(expected.encode()).digest())
