"""Starter questions a newcomer could begin with, made from the unit: terms it defines and its most-mentioned
names."""

from __future__ import annotations

from collections import Counter

from ..ingest.chunk import Chunk
from ..text import fold
from .glossary import glossary
from .items import candidates


def starter_questions(chunks: list[Chunk], n: int = 4) -> list[str]:
    """Questions a newcomer could begin with, from the unit's glossary and its most-mentioned names."""
    out = []
    for e in [e for e in glossary(chunks) if f"({e.acronym}" in e.sentence][:2]:  # terms the unit defines
        out.append(f"What are {e.long_form.lower()}?" if e.long_form.endswith("s") else f"What is the {e.long_form}?")
    counts = Counter()
    for chunk in chunks:
        for sentence in chunk.sentence_texts():
            counts.update({a for a, _, k in candidates(sentence) if k == "name" and len(a.split()) == 2})
    for name, _ in counts.most_common():
        if len(out) >= n:
            break
        if not any(fold(name) in fold(q) for q in out):
            out.append(f"What does the unit say about {name}?")
    return out
