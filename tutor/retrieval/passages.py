"""Numbered passages, what retrieval returns: each chunk with its scores and the stored vectors of its sentences,
and the sentences of them an answer may quote."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..ingest.chunk import Chunk
from ..types import same_text


@dataclass
class Passage:
    n: int  # the number the learner sees, [n]
    chunk: Chunk
    score: float  # fused (or reranked) score, higher is better
    dense: float = 0.0  # cosine similarity of the search text to the chunk
    keyword: float = 0.0  # bm25 score
    sentence: float = 0.0  # cosine similarity of the search text to the chunk's closest sentence
    vectors: np.ndarray | None = field(default=None, repr=False)  # stored unit vectors, one row per chunk sentence
    vector: np.ndarray | None = field(default=None, repr=False)  # the chunk's own stored vector

    def sentence_vectors(self) -> dict[str, np.ndarray]:
        """{text: its stored vector} for the chunk's sentences and the chunk itself (empty when the index stored
        none)."""
        found = {} if self.vectors is None else dict(zip(self.chunk.sentence_texts(), self.vectors))
        return found | ({self.chunk.text: self.vector} if self.vector is not None else {})


def candidate_sentences(passages: list[Passage]) -> dict[str, tuple[int, int]]:
    """{sentence: (passage n, document sentence index)}, each sentence once, only sentences an answer may quote:
    body text and list items, not headings, captions, tables, questions, learning objectives or a list's lead-in
    (it says nothing alone; its items do)."""
    seen: dict[str, tuple[int, int]] = {}
    for p in passages:
        for i, sentence in p.chunk.answer_sentences():
            seen.setdefault(sentence, (p.n, p.chunk.sentence_start + i))
    return seen


def overlaps(a: Passage, b: Passage) -> bool:
    """Do two passages show mostly the same text (``types.same_text``)?"""
    return same_text(*((p.chunk.source, p.chunk.raw_start, p.chunk.raw_end, p.chunk.text) for p in (a, b)))


def distinct(passages: list[Passage]) -> list[Passage]:
    """The passages in order, each dropped when it shows mostly what a better one already shows."""
    kept: list[Passage] = []
    for p in passages:
        if not any(overlaps(p, q) for q in kept):
            kept.append(p)
    return kept
