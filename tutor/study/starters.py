"""Starter questions a newcomer could begin with, made from the unit: terms it defines (acronyms written out,
key-term lists such as "- demand: the amount ...") and the names it mentions most. Templates are data
(``starters.toml``).

>>> from tutor.ingest.chunk import Chunk
>>> text = "- opportunity cost: what is given up"
>>> c = Chunk("c1", "u.txt", "U", text, 0, len(text), 1, 0, 1, text, [(0, len(text))], roles=["list"])
>>> starter_questions([c])
['What does the unit mean by opportunity cost?']
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from pathlib import Path
from string import Template

from ..ingest.chunk import Chunk
from ..text import STOPWORDS, fold
from ..text.sentences import GLYPH, complete
from .glossary import glossary
from .items import candidates

TEMPLATES = {k: Template(v) for k, v in
             tomllib.loads(Path(__file__).with_name("starters.toml").read_text(encoding="utf-8")).items()}
_KEY_TERM = re.compile(r"^-?\s*([a-z][a-z' -]{2,40}):\s+\S")


def defined_terms(chunks: list[Chunk]) -> list[str]:
    """Terms the unit defines: acronyms' long forms, then "term: meaning" list items, in order."""
    found = [e.long_form for e in glossary(chunks)]
    for chunk in chunks:
        roles = chunk.roles or ["body"] * len(chunk.sentences)
        for i, sentence in chunk.answer_sentences():
            m = _KEY_TERM.match(sentence) if roles[i] == "list" and not GLYPH.search(sentence) else None
            words = m.group(1).split() if m else []
            if 0 < len(words) <= 4 and words[0] not in STOPWORDS and words[-1] not in STOPWORDS:
                found.append(m.group(1).strip())  # a key-term list item, "term: meaning"
    return list(dict.fromkeys(found))


def starter_questions(chunks: list[Chunk], n: int = 4) -> list[str]:
    terms = defined_terms(chunks)
    out = [_about(term) for term in terms[:2]]
    counts: Counter = Counter()
    for chunk in chunks:  # two-word names used inside sentences (not only as a sentence's first words)
        for _, sentence in chunk.answer_sentences():
            if not complete(sentence):
                continue  # a line fragment's capitals are not names
            counts.update({a for a, start, k in candidates(sentence)
                           if k == "name" and len(a.split()) == 2 and start > 0 and not any(ch.isdigit() for ch in a)})
    for name, _ in counts.most_common():
        if len(out) >= n:
            break
        if not any(fold(name) in fold(q) for q in out):
            out.append(TEMPLATES["name"].substitute(name=name))
    return (out + [_about(term) for term in terms[2:]])[:n]  # too few names: more defined terms


def _about(term: str) -> str:
    kind = "term" if not term[:1].isupper() else "plural" if term.endswith("s") else "proper"
    return TEMPLATES[kind].substitute(term=term)
