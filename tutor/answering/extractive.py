"""The ``extractive`` backend: no LLM. It quotes the sentences the learned ranking chose (``Request.chosen``):
the one most likely to answer the question, with the next best of its passage as context, each cited."""

from __future__ import annotations

from typing import Iterator

from ..plugins import backends
from ..settings import Settings
from .base import Backend, Request


@backends.register("extractive")
class ExtractiveBackend(Backend):
    name = "extractive"
    quotes_passages = True

    def __init__(self, settings: Settings | None = None):
        pass

    def generate(self, request: Request) -> Iterator[str]:
        for s in request.chosen:
            yield f"{s.text} [{s.n}] "
