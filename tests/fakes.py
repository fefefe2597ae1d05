"""Deterministic fakes registered like the real backends, from the tests (never in the product's registry), for
exact tests of citations, verification and fallbacks: ``conftest.py`` registers ``FakeBackend`` as ``fake``."""

from __future__ import annotations

import re
from typing import Iterator

from tutor.answering.base import Backend, Request


class FakeBackend(Backend):
    """A stand-in for an LLM: replays queued outputs (``{n}`` in an output is replaced by the number of the first
    passage), or by default restates passage 1's first sentence. ``fail_with`` is raised after ``fail_after``
    pieces of text (0: before any). The queue lives on the instance (``tutor.backend("fake").queue``)."""

    name = "fake"

    def __init__(self, settings=None):
        self.queue: list[str] = []
        self.fail_with: Exception | None = None
        self.fail_after = 0

    def generate(self, request: Request) -> Iterator[str]:
        if self.fail_with is not None and not self.fail_after:
            raise self.fail_with
        if self.queue:
            text = self.queue.pop(0)
        elif request.passages:
            text = f"{request.passages[0].chunk.sentence_texts()[0]} [{request.passages[0].n}]"
        else:
            text = "NOT COVERED"
        n = str(request.passages[0].n) if request.passages else "1"
        for i, piece in enumerate(re.split(r"(\s+)", text.replace("{n}", n))):
            if self.fail_with is not None and i == self.fail_after:
                raise self.fail_with
            yield piece
