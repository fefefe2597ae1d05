"""Telling the Designated Safeguarding Lead (DSL): every message the safeguarding classifier judged a disclosure or a
possible concern goes into a durable queue before the learner's reply is shown, and on by e-mail and/or webhook.

- ``alert``: the ``Alert`` record;
- ``queue``: ``AlertQueue``, the ``alerts`` table in ``TUTOR_DB`` (record, pending, mark seen, purge), never losing one;
- ``delivery``: the background thread that sends alerts on, with retries, and records the outcome;
- ``email`` and ``webhook``: the two senders (``TUTOR_DSL_EMAIL`` + ``TUTOR_SMTP_URL``, ``TUTOR_DSL_WEBHOOK``).
"""

from .alert import Alert
from .queue import AlertQueue

__all__ = ["Alert", "AlertQueue"]
