"""What a checked id_token says, as a ``Launch``: who (a learner key no other platform's user can share), their name,
whether the course makes them a teacher, which unit the activity names, and where grades and deep links go.

A teacher is someone the token gives a teaching role *in this course* (an LIS membership role: Instructor, one of
its sub-roles such as TeachingAssistant, or Administrator). Nothing else counts: not an institution role ("a member
of staff somewhere in the college"), not a custom parameter, not a form field or query string.

>>> is_teacher(["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"])
False
>>> is_teacher(["http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor"])
False
>>> is_teacher(["http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"])
True
>>> learner_key("https://moodle.example.ac.uk", "42")
'lti:731b2df6d1d2deb7:42'
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
DEEP_LINKING = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
RESOURCE_LINK_REQUEST, DEEP_LINKING_REQUEST = "LtiResourceLinkRequest", "LtiDeepLinkingRequest"
MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"
TEACHING = {f"{MEMBERSHIP}#Instructor", f"{MEMBERSHIP}#Administrator"}
UNIT_PARAMETER = "unit"  # the custom parameter (and target link query parameter) that names the unit


def is_teacher(roles) -> bool:
    """Whether these role URIs make the person a teacher of the launching course (see the module docstring)."""
    return any(isinstance(r, str) and (r in TEACHING or r.startswith(f"{MEMBERSHIP}/Instructor#")) for r in roles)


def learner_key(issuer: str, sub: str) -> str:
    """The tutor's name for a platform's user: ``lti:`` (a character no account name or browser session id has),
    a hash of the issuer (so two platforms' user 42 are two learners), then the platform's own user id."""
    return f"lti:{hashlib.sha256(issuer.encode()).hexdigest()[:16]}:{sub}"


@dataclass(frozen=True)
class Launch:
    platform_id: int
    deployment_id: str
    kind: str  # RESOURCE_LINK_REQUEST or DEEP_LINKING_REQUEST
    sub: str
    learner: str
    name: str
    roles: tuple[str, ...]
    teacher: bool
    context_id: str = ""
    context_title: str = ""
    resource_link_id: str = ""
    resource_link_title: str = ""
    unit_asked: str = ""  # what the launch says about its unit ("" when nothing), before it is matched to a unit
    unit_from: str = ""  # where that came from: "custom", "link" (the target link's query) or "title"
    ags: dict = field(default_factory=dict)  # the AGS endpoint claim: lineitems, lineitem, scope
    deep_link: dict = field(default_factory=dict)  # the deep linking settings: deep_link_return_url, data, ...

    @classmethod
    def from_claims(cls, claims: dict, platform_id: int, issuer: str) -> "Launch":
        roles = tuple(r for r in claims.get(LTI + "roles") or [] if isinstance(r, str))
        context = _dict(claims.get(LTI + "context"))
        link = _dict(claims.get(LTI + "resource_link"))
        sub = str(claims.get("sub") or "")
        asked, source = unit_asked(claims)
        return cls(platform_id=platform_id, deployment_id=str(claims.get(LTI + "deployment_id") or ""),
                   kind=str(claims.get(LTI + "message_type") or ""), sub=sub, learner=learner_key(issuer, sub),
                   name=display_name(claims), roles=roles, teacher=is_teacher(roles),
                   context_id=str(context.get("id") or ""), context_title=str(context.get("title") or ""),
                   resource_link_id=str(link.get("id") or ""), resource_link_title=str(link.get("title") or ""),
                   unit_asked=asked, unit_from=source, ags=_dict(claims.get(AGS)),
                   deep_link=_dict(claims.get(DEEP_LINKING)))

    def to_json(self, part: str) -> str:
        """``ags`` or ``deep_link`` as stored ("" when the launch has none)."""
        value = getattr(self, part)
        return json.dumps(value) if value else ""


def display_name(claims: dict) -> str:
    """The person's name as the platform sends it ("" when its privacy settings withhold it)."""
    full = claims.get("name") or " ".join(str(claims.get(k) or "") for k in ("given_name", "family_name")).strip()
    return str(full or "")[:255]


def unit_asked(claims: dict) -> tuple[str, str]:
    """(what names the unit, where from): the custom parameter ``unit`` ("custom"), else ``unit`` in the target
    link's query ("link": the resource link's URL, as deep linking makes it), else the resource link's title
    ("title", used only when it is a unit's name).

    >>> unit_asked({LTI + "target_link_uri": "https://tutor.example/lti/launch?unit=psychology-memory"})
    ('psychology-memory', 'link')
    """
    custom = _dict(claims.get(LTI + "custom")).get(UNIT_PARAMETER)
    if isinstance(custom, str) and custom.strip():
        return custom.strip(), "custom"
    query = parse_qs(urlsplit(str(claims.get(LTI + "target_link_uri") or "")).query).get(UNIT_PARAMETER)
    if query and query[0].strip():
        return query[0].strip(), "link"
    title = str(_dict(claims.get(LTI + "resource_link")).get("title") or "").strip()
    return (title, "title") if title else ("", "")


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}
