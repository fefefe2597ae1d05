"""The ``fake`` backend: a deterministic stand-in for an LLM, registered like the real ones, for exact tests of
citations, verification and fallbacks."""

from __future__ import annotations

import re
from typing import Iterator

from ..plugins import backends
from ..settings import Settings
from .base import Backend, Request


@backends.register("fake")
class FakeBackend(Backend):
    """Deterministic stand-in for an LLM, registered like the real ones: replays queued outputs (``{n}`` in an
    output is replaced by the number of the first passage), or by default restates passage 1's first sentence.
    ``fail_with`` is raised after ``fail_after`` pieces of text (0: before any)."""

    name = "fake"
    queue: list[str] = []
    fail_with: Exception | None = None
    fail_after: int = 0

    def __init__(self, settings: Settings | None = None):
        pass

    def generate(self, request: Request) -> Iterator[str]:
        if FakeBackend.fail_with is not None and not FakeBackend.fail_after:
            raise FakeBackend.fail_with
        if FakeBackend.queue:
            text = FakeBackend.queue.pop(0)
        elif request.passages:
            text = f"{request.passages[0].chunk.sentence_texts()[0]} [{request.passages[0].n}]"
        else:
            text = "NOT COVERED"
        n = str(request.passages[0].n) if request.passages else "1"
        for i, piece in enumerate(re.split(r"(\s+)", text.replace("{n}", n))):
            if FakeBackend.fail_with is not None and i == FakeBackend.fail_after:
                raise FakeBackend.fail_with
            yield piece
