"""One safeguarding alert: what a learner wrote that the classifier judged a disclosure or a possible concern, for
the Designated Safeguarding Lead (DSL). Stored in the queue's table; sent on by e-mail and/or webhook.

>>> a = Alert.new("my dad hits me", unit="unit-25", session="s1", level="disclosure", score=0.97)
>>> a.seen, a.email, len(a.id), a.created.endswith("Z")
(False, 'off', 32, True)
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from dataclasses import dataclass

OFF, PENDING, SENT = "off", "pending", "sent"  # delivery statuses; a failure is "failed: <why>"


def utc_now(days_ago: float = 0) -> str:
    """UTC, ISO 8601, as the chat log stores it: ``2026-12-05T23:10:00Z``."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - days_ago * 86400))


@dataclass(frozen=True)
class Alert:
    id: str  # random (uuid4 hex): known before the row is written, so a retried write cannot duplicate it
    created: str  # UTC, ISO 8601
    unit: str  # the unit the learner had chosen ("" for the whole course)
    session: str  # the random per-browser session id (no name, no address)
    message: str  # what the learner wrote
    level: str  # disclosure | concern
    score: float  # the classifier's score of the most serious part
    part: str = ""  # that part (a sentence or clause of the message, or all of it)
    seen: bool = False  # a DSL has marked it seen
    seen_at: str = ""  # when (UTC)
    email: str = OFF  # off | pending | sent | failed: <why>
    webhook: str = OFF  # the same, for the webhook

    @classmethod
    def new(cls, message: str, unit: str | None, session: str, level: str, score: float, part: str = "",
            email: bool = False, webhook: bool = False) -> "Alert":
        return cls(uuid.uuid4().hex, utc_now(), unit or "", session, message, level, round(float(score), 6), part,
                   email=PENDING if email else OFF, webhook=PENDING if webhook else OFF)

    def replace(self, **changes) -> "Alert":
        return dataclasses.replace(self, **changes)

    def to_json(self) -> dict:
        return dataclasses.asdict(self)

    def public(self) -> dict:
        """What is sent to the DSL: everything except the delivery bookkeeping."""
        return {k: v for k, v in self.to_json().items() if k not in ("seen", "seen_at", "email", "webhook")}
