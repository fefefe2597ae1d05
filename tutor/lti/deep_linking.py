"""Deep Linking: a teacher picks units of the course in the tutor, and the tutor answers the platform with an
``LtiDeepLinkingResponse``, a JWT signed with the tool's key, auto-posted back to the platform's return URL. Each
unit becomes a resource link whose URL and custom parameter both name the unit, with a line item out of 100 so the
gradebook column exists from the start.

>>> item = resource_link("https://tutor.example.ac.uk", "psychology-memory", "Memory (PSY 8.2)")
>>> item["url"], item["custom"], item["lineItem"]["resourceId"]
('https://tutor.example.ac.uk/lti/launch?unit=psychology-memory', {'unit': 'psychology-memory'}, 'psychology-memory')
"""

from __future__ import annotations

import secrets
import time
from urllib.parse import urlencode

from .ags import TAG
from .claims import LTI, UNIT_PARAMETER
from .errors import Refused
from .keys import ToolKeys
from .platforms import Platform
from .score import MAXIMUM

DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
RESOURCE_LINK = "ltiResourceLink"


def resource_link(base_url: str, unit: str, title: str) -> dict:
    return {"type": RESOURCE_LINK, "title": title,
            "url": f"{base_url.rstrip('/')}/lti/launch?{urlencode({UNIT_PARAMETER: unit})}",
            "custom": {UNIT_PARAMETER: unit},
            "lineItem": {"scoreMaximum": MAXIMUM, "label": f"Practice: {title}", "resourceId": unit, "tag": TAG}}


def response_jwt(keys: ToolKeys, platform: Platform, deployment_id: str, settings: dict, items: list[dict]) -> str:
    """The signed ``LtiDeepLinkingResponse`` for ``items`` under the request's deep linking ``settings``."""
    accepts = settings.get("accept_types") or [RESOURCE_LINK]
    if RESOURCE_LINK not in accepts:
        raise Refused("This place in your course does not accept activities (resource links), so no unit can be "
                      "added here. Add the tutor from the activity chooser instead.", f"accept_types {accepts!r}")
    if len(items) > 1 and settings.get("accept_multiple") is False:
        raise Refused("Your course platform accepts one unit at a time here. Pick one unit.", "accept_multiple false")
    now = int(time.time())
    claims = {"iss": platform.client_id, "aud": [platform.issuer], "iat": now, "exp": now + 300,
              "nonce": secrets.token_urlsafe(16), LTI + "message_type": "LtiDeepLinkingResponse",
              LTI + "version": "1.3.0", LTI + "deployment_id": deployment_id, DL + "content_items": items}
    if settings.get("data"):
        claims[DL + "data"] = settings["data"]  # the platform's own value, returned as it came
    return keys.sign(claims)
