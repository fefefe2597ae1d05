"""The ``extractive`` backend: no LLM, the retrieved passages' most relevant sentences, each cited.
Deterministic: the best sentence with the rest of its passage, plus at most one sentence from another passage
scoring within 90% of it (``retrieval.passages.choose``)."""

from __future__ import annotations

from typing import Iterator

from ..plugins import backends
from ..retrieval.passages import choose, rank_sentences
from ..settings import Settings
from .base import Backend, Request


@backends.register("extractive")
class ExtractiveBackend(Backend):
    name = "extractive"

    def __init__(self, settings: Settings | None = None):
        pass

    def generate(self, request: Request) -> Iterator[str]:
        ranked = rank_sentences(request.question, request.search_text, request.passages, request.vectors,
                                request.query_vector)
        for s in choose(ranked):
            yield f"{s.text} [{s.n}] "
