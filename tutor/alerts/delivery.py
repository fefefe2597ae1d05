"""Sending alerts on to the DSL in a background thread, so a learner's reply never waits on a mail server.

Each sender (``EmailSender``, ``WebhookSender``: an object with a ``name`` and ``send(alert)`` that raises on
failure) is tried up to ``tries`` times with a doubling pause; then ``report(alert_id, name, status)`` records
``sent`` or ``failed: <why>`` (the error also goes to the log). ``claim(alert_id, name)`` is asked first: an alert
another process is already sending is skipped (``AlertQueue.claim``).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Callable

from .alert import SENT, Alert

log = logging.getLogger(__name__)
TRIES = 5  # attempts per sender and alert
FIRST_PAUSE = 2.0  # seconds before the second attempt; doubles after each failure


class Delivery:
    def __init__(self, senders: list, report: Callable[[str, str, str], None], tries: int = TRIES,
                 first_pause: float = FIRST_PAUSE, claim: Callable[[str, str], bool] = lambda alert_id, name: True):
        self.senders, self.report, self.tries, self.first_pause = senders, report, tries, first_pause
        self.claim = claim
        self._jobs: queue.Queue = queue.Queue()
        if senders:
            threading.Thread(target=self._run, name="safeguarding-alert-delivery", daemon=True).start()

    def send(self, alert: Alert) -> None:
        """Queue ``alert`` for every sender; returns at once."""
        if self.senders:
            self._jobs.put(alert)

    @property
    def pending(self) -> int:
        return self._jobs.unfinished_tasks

    def flush(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self.pending and time.monotonic() < deadline:
            time.sleep(0.02)
        return not self.pending

    def _run(self) -> None:
        while True:
            alert = self._jobs.get()
            try:
                for sender in self.senders:
                    if self.claim(alert.id, sender.name):
                        self.report(alert.id, sender.name, self._attempt(sender, alert))
            except Exception:  # noqa: BLE001 - the thread must outlive any one alert
                log.exception("safeguarding alert %s: recording its delivery failed", alert.id)
            finally:
                self._jobs.task_done()

    def _attempt(self, sender, alert: Alert) -> str:
        pause = self.first_pause
        for attempt in range(1, self.tries + 1):
            try:
                sender.send(alert)
                return SENT
            except Exception as exc:  # noqa: BLE001 - any failure is retried, then recorded
                why = f"{type(exc).__name__}: {exc}"[:300]
                if attempt == self.tries:
                    log.error("safeguarding alert %s: %s delivery failed %d times (%s)", alert.id, sender.name,
                              self.tries, why)
                    return f"failed: {why}"
                time.sleep(pause)
                pause *= 2
        return "failed: no attempt"
