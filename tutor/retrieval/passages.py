"""Numbered passages, and their sentences ranked by how well each answers the question.

A sentence's relevance mixes its cosine similarity to the learner's own (repaired) question and to the expanded
search text (which carries a follow-up's earlier turns), the share of question words it contains, and a small
penalty per passage rank. Weights were chosen on the development set (README, "Evaluation").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..ingest.chunk import Chunk
from ..ingest.embed import Vectors
from ..text import terms

WEIGHTS = {"cos_question": 0.65, "cos_search": 0.65, "words_question": 0.35, "words_search": 0.2, "rank": 0.02}


@dataclass
class Passage:
    n: int  # the number the learner sees, [n]
    chunk: Chunk
    score: float


@dataclass(frozen=True)
class Scored:
    score: float
    n: int  # the passage it comes from
    index: int  # its sentence number in the source document (reading order)
    text: str


def candidate_sentences(passages: list[Passage]) -> dict[str, tuple[int, int]]:
    """{sentence: (passage n, document sentence index)}, each sentence once, only sentences an answer may quote:
    body text and list items, not headings, captions, tables, questions, learning objectives or a list's lead-in
    (it says nothing alone; its items do)."""
    seen: dict[str, tuple[int, int]] = {}
    for p in passages:
        for i, sentence in p.chunk.answer_sentences():
            seen.setdefault(sentence, (p.n, p.chunk.sentence_start + i))
    return seen


def rank_sentences(question: str, search_text: str, passages: list[Passage], vectors: Vectors,
                   query_vector) -> list[Scored]:
    """Every candidate sentence with its relevance, best first."""
    seen = candidate_sentences(passages)
    sentences = list(seen)
    if not sentences:
        return []
    w = WEIGHTS
    q_terms, x_terms = set(terms(question)), set(terms(search_text))
    cos_q = cos_x = [0.0] * len(sentences)
    if vectors.embed is not None and len(query_vector):
        vecs = vectors([question] + sentences)
        x = np.asarray(query_vector, dtype=np.float32)
        cos_q = [float(np.dot(vecs[0], v)) for v in vecs[1:]]
        cos_x = [float(np.dot(x, v)) for v in vecs[1:]]
    total = w["cos_question"] + w["cos_search"] + w["words_question"] + w["words_search"]
    scored = []
    for s, cq, cx in zip(sentences, cos_q, cos_x):
        st = set(terms(s))
        wq = len(q_terms & st) / len(q_terms) if q_terms else 0.0
        wx = len(x_terms & st) / len(x_terms) if x_terms else 0.0
        n, index = seen[s]
        score = (w["cos_question"] * cq + w["cos_search"] * cx + w["words_question"] * wq + w["words_search"] * wx
                 - w["rank"] * (n - 1)) / total
        scored.append(Scored(score, n, index, s))
    return sorted(scored, key=lambda t: t.score, reverse=True)


def choose(scored: list[Scored], max_sentences: int = 4, relative: float = 0.9, floor: float = 0.3,
           others: int = 1, context: bool = True) -> list[Scored]:
    """The best sentence with the rest of its passage (its context, at no extra citation) when ``context``, then at
    most ``others`` sentences from other passages scoring at least ``relative`` of it; in reading order."""
    if not scored:
        return []
    top = scored[0]
    chosen = [top] + ([t for t in scored[1:] if t.n == top.n][: max_sentences - 1] if context else [])
    extra = [t for t in scored[1:] if t.n != top.n and t.score >= max(floor, relative * top.score)]
    chosen += extra[: min(others, max_sentences - len(chosen))]
    return sorted(chosen, key=lambda t: t.index)
