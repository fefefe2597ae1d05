"""What can go wrong with LTI, as one error family under ``TutorError``. A ``Refused`` launch carries two texts:
``str(error)`` says what to do, for the person in front of the browser (one line, never a traceback), and ``why``
is the precise reason, for the server log.

>>> e = Refused("This launch has expired. Open the activity again from your course page.", "token expired")
>>> str(e), e.why, e.status
('This launch has expired. Open the activity again from your course page.', 'token expired', 400)
"""

from __future__ import annotations

from ..errors import TutorError


class LtiError(TutorError):
    """An LTI setting or registration is wrong; the message names the command or value that fixes it."""


class Refused(LtiError):
    """A launch, login or deep-link request the tool will not accept."""

    def __init__(self, message: str, why: str = "", status: int = 400):
        super().__init__(message)
        self.why, self.status = why or message, status


class GradeError(LtiError):
    """A score could not reach the platform's gradebook (the send is retried; the record says why)."""

    def __init__(self, message: str, status: int | None = None, retry: bool = True):
        super().__init__(message)
        self.status, self.retry = status, retry


AGAIN = "Open the activity again from your course page."  # the advice most refusals end with
