"""Sentence splitting with character offsets, for chunking, verification and answer selection.

>>> text = "It was chaired by Dr. Amos. Many agencies, e.g. police, failed."
>>> [text[s:e] for s, e in split_sentences(text)]
['It was chaired by Dr. Amos.', 'Many agencies, e.g. police, failed.']
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from .tokens import word_file

ABBREVIATIONS = word_file(Path(__file__).with_name("abbreviations.txt"))
_END = re.compile(r'[.!?]+["\')\]]*(?=\s+["\'(\[]?[A-Z0-9•])|(?=\s*•)')


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence in one paragraph; a bullet starts a new sentence, and a full stop after an
    abbreviation or a single initial ("H. M.") does not end one."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _END.finditer(text):
        end = m.end()
        if m.group():
            word = re.search(r"([\w.]+)\W*$", text[start:m.start() + 1])
            token = word.group(1).rstrip(".").lower() if word else ""
            if token in ABBREVIATIONS or (len(token) == 1 and token.isalpha() and token != "i"):
                continue
        _add(spans, text, start, end)
        start = end
    _add(spans, text, start, len(text))
    return spans


def _add(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and (text[start] in " •" or text.startswith(("- ", "* "), start)):
        start += 1
    while end > start and text[end - 1] == " ":
        end -= 1
    if end > start and any(c.isalnum() for c in text[start:end]):
        spans.append((start, end))


@lru_cache(maxsize=20_000)
def sentences(text: str) -> tuple[str, ...]:
    """The sentences of a text, paragraph by paragraph."""
    out = []
    for para in text.split("\n"):
        out.extend(para[s:e] for s, e in split_sentences(para))
    return tuple(out)


GLYPH = re.compile("[\u2022\u25aa\u25a0\u25cf\u25e6\u2023\u2043\u2219\u25ab\u25a1\u25af\u27a2\uf0b7\uf0a7\ufffd]|\\(cid:\\d+\\)")
_CLOSED = re.compile(r"[.!?][\"'\u201d\u2019)\]]*$")


def complete(sentence: str) -> bool:
    """A whole sentence, as study aids need: it starts with a capital, a digit or an opening quote, ends with a full
    stop, question or exclamation mark, and carries no bullet or unmapped glyph (a line fragment fails).

    >>> complete("Memory is stored in many places."), complete("how observations are made"), complete("\u2022 It is.")
    (True, False, False)
    """
    s = sentence.strip()
    if not s or GLYPH.search(s) or not _CLOSED.search(s):
        return False
    first = s.lstrip("\"'\u201c\u2018([")[:1]
    return first.isupper() or first.isdigit()
