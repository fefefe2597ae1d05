"""Checking a launch: the id_token a platform posts to ``/lti/launch``, with the state from the login step.

In order, each failure a ``Refused`` with its own reason for the log:
1. the state came back to the browser that started the login (its cookie);
2. the issuer and client id are a registered platform;
3. the signature verifies with that platform's published key (RS256 only);
4. ``iss``, ``aud`` (and ``azp`` when there are several audiences), ``exp``, ``iat`` are right, with a minute's
   leeway for clocks;
5. the deployment id is one registered for the platform;
6. it is an LTI 1.3.0 resource link or deep linking request, with a user (``sub``) and, for a resource link, its id;
7. last, the nonce is the login's and has not been used: spent only by a token that passed everything else, so a
   forged token cannot burn a real learner's login.
"""

from __future__ import annotations

import hmac
import json
import time
from typing import Callable

from joserfc import jws, jwt
from joserfc.errors import (BadSignatureError, ExpiredTokenError, InvalidClaimError, JoseError, MissingClaimError)
from joserfc.jwt import JWTClaimsRegistry

from .claims import DEEP_LINKING_REQUEST, LTI, RESOURCE_LINK_REQUEST, Launch
from .errors import AGAIN, Refused
from .jwks import PlatformKeys
from .nonces import Nonces
from .platforms import Platforms

LEEWAY_SECONDS = 60
ALGORITHMS = ["RS256"]


def state_cookie(state: str) -> str:
    """The cookie that binds a login's state to the browser that started it (one per login, so tabs don't clash)."""
    return f"tutor-lti-state-{state[:43]}"


def check_launch(id_token: str, state: str, cookie_state: str | None, platforms: Platforms, keys: PlatformKeys,
                 nonces: Nonces, clock: Callable[[], float] = time.time) -> Launch:
    """The ``Launch`` an id_token makes, once every check above has passed."""
    if not id_token or not state:
        raise Refused(f"This page is reached from your course platform, not directly. {AGAIN}", "no id_token or state")
    if not cookie_state or not hmac.compare_digest(cookie_state, state):
        raise Refused("This launch did not start in this browser, or the browser blocked the tutor's cookie. "
                      f"{AGAIN}", "state cookie missing or different")
    header, unverified = _peek(id_token)
    issuer, client_id = str(unverified.get("iss") or ""), _client_id(unverified)
    platform = platforms.find(issuer, client_id)
    if platform is None:
        raise Refused("This course platform is not registered with the tutor. Ask your IT team to add it "
                      "(tutor lti add-platform).", f"no platform for iss={issuer!r} client_id={client_id!r}", 403)
    key = keys.key(platform.jwks_url, header.get("kid"))
    try:
        claims = jwt.decode(id_token, key, algorithms=ALGORITHMS).claims
    except BadSignatureError:
        raise Refused(f"This launch's signature is not your course platform's. {AGAIN}", "bad signature", 403) from None
    except JoseError as exc:
        raise Refused(f"This launch could not be read. {AGAIN}", f"undecodable id_token: {exc}") from None
    _check_claims(claims, platform.issuer, platform.client_id, clock)
    deployment = str(claims.get(LTI + "deployment_id") or "")
    if deployment not in platform.deployments:
        raise Refused("This activity comes from a deployment of the tutor that is not registered. Ask your IT team "
                      f"to add deployment id {deployment!r} (tutor lti add-platform --replace ...).",
                      f"unknown deployment {deployment!r}", 403)
    _check_message(claims)
    nonces.spend(state, str(claims.get("nonce") or ""), platform.id)
    return Launch.from_claims(claims, platform.id, platform.issuer)


def _peek(token: str) -> tuple[dict, dict]:
    """Header and claims before the signature is checked: only to find which platform's keys to check it with."""
    try:
        compact = jws.extract_compact(token.encode())
        return dict(compact.headers()), json.loads(compact.payload)
    except (JoseError, ValueError, TypeError):
        raise Refused(f"This launch could not be read. {AGAIN}", "malformed id_token") from None


def _client_id(claims: dict) -> str:
    aud = claims.get("aud")
    if isinstance(aud, list):
        return str(claims.get("azp") or (aud[0] if len(aud) == 1 else ""))
    return str(aud or "")


def _check_claims(claims: dict, issuer: str, client_id: str, clock: Callable[[], float]) -> None:
    registry = JWTClaimsRegistry(now=lambda: int(clock()), leeway=LEEWAY_SECONDS,
                                 iss={"essential": True, "value": issuer}, aud={"essential": True, "value": client_id},
                                 exp={"essential": True}, iat={"essential": True}, nonce={"essential": True},
                                 sub={"essential": True})
    try:
        registry.validate(claims)
    except ExpiredTokenError:
        raise Refused(f"This launch has expired. {AGAIN}", "token expired") from None
    except (MissingClaimError, InvalidClaimError) as exc:
        raise Refused(f"This launch is not valid for the tutor. {AGAIN}", f"claims: {exc}") from None
    aud = claims.get("aud")
    if isinstance(aud, list) and len(aud) > 1 and claims.get("azp") != client_id:
        raise Refused(f"This launch is not valid for the tutor. {AGAIN}", "several audiences and azp is not ours")


def _check_message(claims: dict) -> None:
    kind = claims.get(LTI + "message_type")
    if claims.get(LTI + "version") != "1.3.0" or kind not in (RESOURCE_LINK_REQUEST, DEEP_LINKING_REQUEST):
        raise Refused("The tutor takes LTI 1.3 resource link and deep linking launches only. Check the activity's "
                      "settings.", f"message {kind!r}, version {claims.get(LTI + 'version')!r}")
    link = claims.get(LTI + "resource_link")
    if kind == RESOURCE_LINK_REQUEST and not (isinstance(link, dict) and link.get("id")):
        raise Refused(f"This launch names no activity. {AGAIN}", "resource link request without resource_link.id")
