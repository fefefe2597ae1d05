"""Assignment and Grade Services, the client side: an access token by OAuth2 client credentials with a JWT client
assertion signed by the tool's key (RFC 7523, as LTI 1.3 requires), the activity's line item (the launch's own,
else one found by resource link and unit, else created), and a score posted to it.

Every failure is a ``GradeError`` that says whether trying again may help (a network error, 5xx, 429: yes; any
other 4xx: no). A 401 gets one fresh token before it counts as a failure.
"""

from __future__ import annotations

import threading
import time
import uuid
from typing import Callable
from urllib.parse import urlsplit, urlunsplit

import httpx

from .errors import GradeError
from .keys import ToolKeys
from .platforms import Platform

SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM = "application/vnd.ims.lis.v2.lineitem+json"
CONTAINER = "application/vnd.ims.lis.v2.lineitemcontainer+json"
SCORE = "application/vnd.ims.lis.v1.score+json"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
TAG = "tutor-practice"  # marks the line items the tutor made
TIMEOUT = 15.0


def scores_url(line_item: str) -> str:
    """``.../lineitems/7?x=1`` -> ``.../lineitems/7/scores?x=1`` (the AGS rule: the path gets /scores).

    >>> scores_url("https://vle.example/ags/lineitems/7?type_id=3")
    'https://vle.example/ags/lineitems/7/scores?type_id=3'
    """
    parts = urlsplit(line_item)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


class Gradebook:
    def __init__(self, keys: ToolKeys, client: httpx.Client | None = None, clock: Callable[[], float] = time.time):
        self.keys, self.clock = keys, clock
        self.client = client or httpx.Client(timeout=TIMEOUT, follow_redirects=False)
        self._tokens: dict[tuple[int, str], tuple[str, float]] = {}  # (platform, scopes) -> (token, expires)
        self._lock = threading.Lock()

    def token(self, platform: Platform, scopes: list[str], fresh: bool = False) -> str:
        """An access token for ``scopes``, reused until a minute before it expires."""
        key = (platform.id, " ".join(sorted(scopes)))
        with self._lock:
            cached = self._tokens.get(key)
        if cached and not fresh and cached[1] > self.clock() + 60:
            return cached[0]
        now = int(self.clock())
        assertion = self.keys.sign({"iss": platform.client_id, "sub": platform.client_id, "aud": platform.audience,
                                    "iat": now, "exp": now + 300, "jti": uuid.uuid4().hex})
        body = {"grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE,
                "client_assertion": assertion, "scope": key[1]}
        reply = self._send("POST", platform.token_url, data=body, headers={"Accept": "application/json"})
        try:
            found = reply.json()
            token, lasts = str(found["access_token"]), float(found.get("expires_in") or 3600)
        except (ValueError, KeyError, TypeError):
            raise GradeError(f"The platform's token endpoint answered without an access token ({reply.status_code}).",
                             reply.status_code) from None
        with self._lock:
            self._tokens[key] = (token, self.clock() + lasts)
        return token

    def line_item(self, platform: Platform, ags: dict, resource_link_id: str, unit: str, label: str) -> str:
        """The URL of the activity's line item: the launch's own, else the one for this link and unit, else new."""
        if ags.get("lineitem"):
            return str(ags["lineitem"])
        container = str(ags.get("lineitems") or "")
        if not container:
            raise GradeError("The launch offers no gradebook line items (AGS lineitems).", retry=False)
        scopes = [SCOPE_LINEITEM]
        params = {"resource_link_id": resource_link_id, "resource_id": unit}
        found = self.call(platform, scopes, "GET", container, params=params, headers={"Accept": CONTAINER}).json()
        for item in found if isinstance(found, list) else []:
            if item.get("resourceId") == unit and item.get("resourceLinkId", resource_link_id) == resource_link_id:
                return str(item["id"])
        new = {"scoreMaximum": 100, "label": label, "resourceId": unit, "resourceLinkId": resource_link_id, "tag": TAG}
        made = self.call(platform, scopes, "POST", container, json=new, headers={"Content-Type": LINEITEM,
                                                                               "Accept": LINEITEM}).json()
        if not isinstance(made, dict) or not made.get("id"):
            raise GradeError("The platform created a line item but did not say where it is (no id).")
        return str(made["id"])

    def post_score(self, platform: Platform, line_item: str, score: dict) -> int:
        return self.call(platform, [SCOPE_SCORE], "POST", scores_url(line_item), json=score,
                         headers={"Content-Type": SCORE}).status_code

    def call(self, platform: Platform, scopes: list[str], method: str, url: str, **kw) -> httpx.Response:
        """One authorised AGS request; a 401 is tried once more with a fresh token."""
        for fresh in (False, True):
            headers = {**kw.pop("headers", {}), "Authorization": f"Bearer {self.token(platform, scopes, fresh)}"}
            kw["headers"] = headers
            reply = self._send(method, url, allow={401} if not fresh else set(), **kw)
            if reply.status_code != 401:
                return reply
        raise GradeError("The platform refused the tutor's access token (401).", 401)  # pragma: no cover

    def _send(self, method: str, url: str, allow: set[int] = frozenset(), **kw) -> httpx.Response:
        try:
            reply = self.client.request(method, url, **kw)
        except httpx.HTTPError as exc:
            raise GradeError(f"Could not reach {urlsplit(url).netloc}: {type(exc).__name__}.") from None
        if reply.status_code < 400 or reply.status_code in allow:
            return reply
        retry = reply.status_code >= 500 or reply.status_code in (401, 408, 429)
        raise GradeError(f"{method} {urlsplit(url).path} answered {reply.status_code}: {reply.text[:200]}",
                         reply.status_code, retry)
