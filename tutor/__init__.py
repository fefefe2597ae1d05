"""A conversational tutor over course unit content: every sentence cited, the rest declined.

Quickstart::

    $ tutor ingest                        # corpus/ -> index/
    >>> from tutor import ask
    >>> ask("What does the unit say about record keeping?").answer   # doctest: +SKIP
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["ask", "stream", "as_runnable", "Tutor", "Answer", "Citation", "Settings", "TutorError"]
_LAZY = {"ask": "pipeline", "stream": "pipeline", "as_runnable": "pipeline", "Tutor": "pipeline",
         "Answer": "types", "Citation": "types", "Settings": "settings", "TutorError": "errors"}


def __getattr__(name):  # heavy modules load on first use, so `tutor --help` stays fast
    if name not in _LAZY:
        raise AttributeError(name)
    import importlib

    return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
