"""``LtiTool``: the tool side of LTI 1.3, one per app. It owns the database engine and everything built on it (keys,
platforms, nonces, sessions, the grade queue) and does each step of the protocol; ``routes`` only turns HTTP into
calls of these methods and their results into responses.

    login(params, base)          -> the platform's auth URL to redirect to, and the state to bind to the browser
    launch(form, cookies, base)  -> (session cookie value, Launch, unit): a signed-in learner in the right unit
    picker(session, base)        -> the deep-linking page of units, for a teacher
    deep_link(session, units, base) -> (return URL, signed LtiDeepLinkingResponse)
    practised(learner, unit)     -> queues the unit's practice score for the activity's gradebook
"""

from __future__ import annotations

import logging
import time
from typing import Callable
from urllib.parse import urlencode, urlsplit

from sqlalchemy import Engine

from ..errors import ConfigError
from ..storage import database_of  # where LTI's tables live: the app's database
from .ags import Gradebook
from .claims import DEEP_LINKING_REQUEST, Launch
from .deep_linking import resource_link, response_jwt
from .errors import AGAIN, Refused
from .grades import FIRST_WAIT, GradeQueue
from .jwks import PlatformKeys, http_get_json
from .keys import ToolKeys
from .launch import check_launch, state_cookie
from .nonces import Nonces
from .pages import picker
from .platforms import Platforms
from .score import practice_score
from .sessions import Sessions, SignedIn
from .tables import connect

log = logging.getLogger(__name__)
LAUNCH_PATH, LOGIN_PATH, JWKS_PATH, DEEP_LINK_PATH = "/lti/launch", "/lti/login", "/lti/jwks", "/lti/deep-link"


def public_url_of(settings) -> str:
    """TUTOR_PUBLIC_URL, checked: "" or an http(s) address with a host."""
    url = (settings.public_url or "").rstrip("/")
    parts = urlsplit(url)
    if url and (parts.scheme not in ("https", "http") or not parts.netloc or parts.query or parts.fragment):
        raise ConfigError(f"TUTOR_PUBLIC_URL must be the address the tutor is reached at, such as "
                          f"https://tutor.college.ac.uk; it is {settings.public_url!r}. Set it, or leave it empty.")
    return url


class LtiTool:
    def __init__(self, engine: Engine, units: Callable[[], dict], items: Callable[[str], list], public_url: str = "",
                 fetch: Callable[[str], dict] = http_get_json, first_wait: float = FIRST_WAIT,
                 clock: Callable[[], float] = time.time):
        self.engine, self.units, self.items, self.public_url = engine, units, items, public_url.rstrip("/")
        self.keys, self.platforms = ToolKeys(engine), Platforms(engine)
        self.platform_keys, self.nonces, self.sessions = PlatformKeys(fetch), Nonces(engine, clock), Sessions(engine, clock)
        self.grades = GradeQueue(engine, Gradebook(self.keys), self.platforms, self.title, first_wait, clock)
        self.clock = clock

    @classmethod
    def from_settings(cls, settings, units: Callable[[], dict], items: Callable[[str], list]) -> "LtiTool":
        return cls(connect(database_of(settings)), units, items, public_url_of(settings))

    def base(self, request_base: str) -> str:
        """The URL platforms and browsers reach the tutor at: TUTOR_PUBLIC_URL, else the request's own."""
        return self.public_url or request_base.rstrip("/")

    def title(self, unit: str) -> str:
        found = self.units().get(unit)
        return getattr(found, "label", "") or getattr(found, "title", "") or unit or "the whole course"

    # ---- launch ----------------------------------------------------------------------------------------------
    def login(self, params: dict, base: str) -> tuple[str, str]:
        """OIDC third-party login initiation: (URL of the platform's auth endpoint, state)."""
        issuer, hint = params.get("iss", ""), params.get("login_hint", "")
        if not issuer or not hint:
            raise Refused(f"This sign-in link is incomplete (it needs iss and login_hint). {AGAIN}", "login without iss")
        platform = self.platforms.find(issuer, params.get("client_id"))
        if platform is None:
            raise Refused("This course platform is not registered with the tutor. Ask your IT team to add it "
                          "(tutor lti add-platform).", f"login from unregistered iss={issuer!r}", 403)
        deployment = params.get("lti_deployment_id")
        if deployment and deployment not in platform.deployments:
            raise Refused("This activity comes from a deployment of the tutor that is not registered. Ask your IT "
                          f"team to add deployment id {deployment!r}.", f"login for unknown deployment {deployment!r}", 403)
        target = params.get("target_link_uri", "")
        if target and urlsplit(target).netloc != urlsplit(base).netloc:
            raise Refused("This activity points at another site, not this tutor. Check the tool URL in the "
                          "activity's settings.", f"target_link_uri {target!r} is not on {base}")
        state, nonce = self.nonces.issue(platform.id, target)
        query = {"scope": "openid", "response_type": "id_token", "response_mode": "form_post", "prompt": "none",
                 "client_id": platform.client_id, "redirect_uri": base + LAUNCH_PATH, "login_hint": hint,
                 "state": state, "nonce": nonce}
        if params.get("lti_message_hint"):
            query["lti_message_hint"] = params["lti_message_hint"]
        joiner = "&" if urlsplit(platform.auth_url).query else "?"
        return platform.auth_url + joiner + urlencode(query), state

    def launch(self, form: dict, cookies: dict) -> tuple[str, Launch, str]:
        """Check a launch and sign its browser in: (session cookie value, the launch, its unit)."""
        state = form.get("state", "")
        launch = check_launch(form.get("id_token", ""), state, cookies.get(state_cookie(state)) if state else None,
                              self.platforms, self.platform_keys, self.nonces, self.clock)
        if launch.kind == DEEP_LINKING_REQUEST and not launch.teacher:
            raise Refused("Only a teacher of this course can add units to it.", "deep linking by a non-teacher", 403)
        unit = "" if launch.kind == DEEP_LINKING_REQUEST else self.unit_of(launch)
        token = self.sessions.open(launch, unit)
        log.info("LTI launch: %s (%s) into %s, platform %s", launch.learner, "teacher" if launch.teacher else
                 "learner", unit or "the whole course", launch.platform_id)
        return token, launch, unit

    def unit_of(self, launch: Launch) -> str:
        """The unit the launch names (see ``claims.unit_asked``): a slug, a unit code or a title; "" for none."""
        asked = launch.unit_asked.casefold()
        if not asked:
            return ""
        for slug, unit in self.units().items():
            names = {slug, getattr(unit, "code", ""), getattr(unit, "title", ""), getattr(unit, "label", "")}
            if asked in {n.casefold() for n in names if n}:
                return slug
        if launch.unit_from == "title":
            return ""  # an activity title that names no unit: the whole course
        raise Refused(f"This activity names the unit {launch.unit_asked!r}, which this tutor does not have. Ask your "
                      f"teacher to choose the unit again (units: {', '.join(self.units()) or 'none yet'}).",
                      f"unknown unit {launch.unit_asked!r}", 404)

    def signed_in(self, token: str | None) -> SignedIn | None:
        return self.sessions.signed_in(token)

    # ---- deep linking ----------------------------------------------------------------------------------------
    def picker(self, token: str | None, base: str) -> str:
        stored = self._deep_linking(token)
        return picker(base + DEEP_LINK_PATH, stored.id, "",
                      [(slug, self.title(slug)) for slug in self.units()])

    def deep_link(self, token: str | None, launch_id: str, chosen: list[str], base: str) -> tuple[str, str]:
        stored = self._deep_linking(token)
        if launch_id != stored.id:
            raise Refused(f"This page belongs to another launch. {AGAIN}", "deep link form of another launch", 403)
        known = self.units()
        picked = [u for u in chosen if u in known]
        if not picked:
            raise Refused("Tick at least one unit, then Add to course.", "no unit picked")
        platform = self.platforms.get(stored.platform_id)
        if platform is None:
            raise Refused("This course platform is no longer registered with the tutor.", "platform removed", 403)
        items = [resource_link(base, slug, self.title(slug)) for slug in picked]
        jwt = response_jwt(self.keys, platform, stored.deployment_id, stored.deep_link, items)
        return str(stored.deep_link.get("deep_link_return_url") or ""), jwt

    def _deep_linking(self, token: str | None):
        who = self.sessions.signed_in(token)
        stored = self.sessions.stored(who.launch_id) if who else None
        if who is None or not who.teacher or stored is None or not stored.deep_link.get("deep_link_return_url"):
            raise Refused(f"Adding units needs a deep linking launch by a teacher. {AGAIN}", "no deep linking session",
                          403)
        return stored

    # ---- grades ----------------------------------------------------------------------------------------------
    def practised(self, learner: str, unit: str) -> int | None:
        """After a practice answer: queue the learner's score in ``unit`` for the gradebook of the activity that
        launched them into it. None when no such activity has a gradebook (or the learner did not come by LTI)."""
        if not learner.startswith("lti:") or not unit:
            return None
        launch = self.sessions.graded(learner, unit)
        if launch is None:
            return None
        score = practice_score(self.engine, learner, [i.id for i in self.items(unit)])
        return self.grades.record(launch, score)

    def start(self) -> "LtiTool":
        self.grades.start()
        return self

    def close(self) -> None:
        self.grades.close()
