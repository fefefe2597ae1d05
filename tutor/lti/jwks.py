"""The platforms' public keys, fetched from each platform's JWKS URL and kept for an hour. A token signed with a
key id the cached set lacks makes one fresh fetch (at most every ``REFETCH_SECONDS``), so a platform that rotates its
keys is followed at once, and a flood of tokens with made-up key ids does not become a flood of fetches.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable

import httpx
from joserfc.errors import JoseError
from joserfc.jwk import Key, KeySet

from .errors import AGAIN, Refused

log = logging.getLogger(__name__)
KEEP_SECONDS = 3600.0
REFETCH_SECONDS = 30.0
FETCH_TIMEOUT = 10.0


def http_get_json(url: str) -> dict:
    response = httpx.get(url, timeout=FETCH_TIMEOUT, headers={"Accept": "application/json"})
    response.raise_for_status()
    return response.json()


class PlatformKeys:
    def __init__(self, fetch: Callable[[str], dict] = http_get_json, clock: Callable[[], float] = time.monotonic):
        self.fetch, self.clock = fetch, clock
        self._sets: dict[str, tuple[KeySet, float]] = {}  # url -> (keys, fetched at)
        self._lock = threading.Lock()

    def key(self, url: str, kid: str | None) -> Key:
        """The platform's public key ``kid`` (or its only key, for a token without a kid)."""
        with self._lock:
            cached = self._sets.get(url)
            now = self.clock()
            stale = cached is None or now - cached[1] > KEEP_SECONDS
            if stale or (_pick(cached[0], kid) is None and now - cached[1] > REFETCH_SECONDS):
                cached = (self._load(url), now)
                self._sets[url] = cached
        found = _pick(cached[0], kid)
        if found is None:
            raise Refused(f"This launch was signed with a key your course platform does not publish. {AGAIN}",
                          f"no key {kid!r} in the platform's JWKS at {url}")
        return found

    def _load(self, url: str) -> KeySet:
        try:
            return KeySet.import_key_set(self.fetch(url))
        except (httpx.HTTPError, ValueError, JoseError, TypeError, KeyError) as exc:
            raise Refused("The tutor could not fetch your course platform's public keys, so it cannot check this "
                          f"launch. Try again in a minute; if it persists, tell your IT team. ({type(exc).__name__})",
                          f"JWKS fetch from {url} failed: {exc}", status=502) from None


def _pick(keys: KeySet, kid: str | None) -> Key | None:
    listed = [k for k in keys if k.key_type == "RSA"]
    if kid is None:
        return listed[0] if len(listed) == 1 else None
    return next((k for k in listed if k.kid == kid), None)
