"""The fallback chain: backends tried in order, each one's draft checked sentence by sentence as it streams.

A backend that fails (an error, a timeout, nothing verifiable) before showing anything hands over to the next,
and the answer's notice says so. One that fails after verified sentences were shown keeps them as the answer
(the learner already reads them) and the notice says it stopped early.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from ..errors import BackendError, ConfigError
from .base import Backend, Request


@dataclass
class Drafted:
    """What the chain produced: filled in while its sentences stream."""

    backend: str = ""
    sentences: list = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # "name: why" for each backend that gave nothing
    stopped: str = ""  # why the answering backend stopped early, if it did


Check = Callable[[Iterable[str], str], Iterator]  # (draft pieces, backend name) -> verified sentences


def run_chain(names: list[str], backend: Callable[[str], Backend], check: Check, request: Request,
              drafted: Drafted) -> Iterator:
    """Yield verified sentences from the first backend that gives any; raise BackendError when none does."""
    for name in names:
        try:
            chosen = backend(name)
            for sentence in check(chosen.generate(request), chosen.name):
                drafted.sentences.append(sentence)
                yield sentence
            if not drafted.sentences:
                raise BackendError(f"{chosen.name} gave no sentence its passages support")
        except (BackendError, ConfigError) as exc:
            if not drafted.sentences:
                drafted.failures.append(f"{name}: {exc}")
                continue
            drafted.stopped = str(exc)
        drafted.backend = chosen.name
        return
    raise BackendError("No backend could answer: " + "; ".join(drafted.failures))
