"""Send an alert to the DSL's webhook (``TUTOR_DSL_WEBHOOK``): one JSON POST with urllib.

The body is the alert without its delivery bookkeeping (``Alert.public``)::

    {"id": "9f...", "created": "2026-12-05T23:10:00Z", "unit": "unit-25-safeguarding", "session": "4c...",
     "message": "...", "level": "disclosure", "score": 0.97, "part": "..."}

Any 2xx reply counts as delivered; anything else raises (the delivery thread retries).
"""

from __future__ import annotations

import json
import urllib.request
from urllib.parse import urlsplit

from ..errors import ConfigError
from .alert import Alert

TIMEOUT = 10.0  # seconds one POST may take


def check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"TUTOR_DSL_WEBHOOK must be an http:// or https:// address; it is {url[:60]!r}. "
                          "Set TUTOR_DSL_WEBHOOK to the receiver's URL, or leave it empty.")


class WebhookSender:
    name = "webhook"

    def __init__(self, url: str, timeout: float = TIMEOUT):
        check_url(url)
        self.url, self.timeout = url, timeout

    @classmethod
    def from_settings(cls, settings) -> "WebhookSender | None":
        return cls(settings.dsl_webhook) if settings.dsl_webhook else None

    def send(self, alert: Alert) -> None:
        body = json.dumps({"event": "safeguarding_alert", **alert.public()}, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(self.url, data=body, method="POST",
                                         headers={"Content-Type": "application/json; charset=utf-8",
                                                  "User-Agent": "unit-tutor-alerts"})
        with urllib.request.urlopen(request, timeout=self.timeout) as reply:  # noqa: S310 - http(s) only, checked
            if not 200 <= reply.status < 300:
                raise OSError(f"the webhook answered HTTP {reply.status}")
