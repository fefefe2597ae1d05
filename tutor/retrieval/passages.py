"""Numbered passages, and the sentences of them an answer may quote."""

from __future__ import annotations

from dataclasses import dataclass

from ..ingest.chunk import Chunk

@dataclass
class Passage:
    n: int  # the number the learner sees, [n]
    chunk: Chunk
    score: float


def candidate_sentences(passages: list[Passage]) -> dict[str, tuple[int, int]]:
    """{sentence: (passage n, document sentence index)}, each sentence once, only sentences an answer may quote:
    body text and list items, not headings, captions, tables, questions, learning objectives or a list's lead-in
    (it says nothing alone; its items do)."""
    seen: dict[str, tuple[int, int]] = {}
    for p in passages:
        for i, sentence in p.chunk.answer_sentences():
            seen.setdefault(sentence, (p.n, p.chunk.sentence_start + i))
    return seen
