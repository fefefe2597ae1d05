"""A conversational tutor over course unit content: every sentence cited, the rest declined.

Quickstart::

    $ tutor ingest                        # corpus/ -> index/
    >>> from tutor import ask
    >>> ask("What is a serious case review?").answer   # doctest: +SKIP
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["ask", "stream", "as_runnable", "Tutor", "Answer", "Settings", "TutorError"]


def __getattr__(name):  # heavy modules load on first use, so `tutor --help` stays fast
    if name in {"ask", "stream", "as_runnable", "Tutor", "Answer"}:
        from . import answer

        return getattr(answer, name)
    if name == "Settings":
        from .settings import Settings

        return Settings
    if name == "TutorError":
        from .errors import TutorError

        return TutorError
    raise AttributeError(name)
