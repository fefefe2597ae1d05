"""Capitalised names in running text: the one finder every stage uses (scope checks, acronyms, quiz items,
topics).

>>> [n.text for n in name_runs("The House of Commons met. Later the Children Act 2004 passed in London.")]
['House of Commons', 'Later', 'Children Act 2004', 'London']
>>> capitalised_words("Who chaired the Inquiry into Smith?")
['Inquiry', 'Smith']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .tokens import STOPWORDS, terms, word_file

TOKEN = re.compile(r"[A-Za-z0-9\u00C0-\u024F][\w'\u2019&-]*")
CONNECTORS = frozenset({"of"})  # allowed inside a name: "House of Commons"
# Words that start sentences but never names ("Another", "However"): general English, not any unit's words.
OPENERS = STOPWORDS | word_file(Path(__file__).with_name("openers.txt"))


@dataclass(frozen=True)
class Name:
    text: str  # as written, a final possessive 's dropped
    start: int  # offset in the text
    words: int


def _spaced(text: str, a: re.Match, b: re.Match) -> bool:
    """Only whitespace between two tokens: "Smith (Baby" or "Leeds, North" are two names."""
    return not text[a.end():b.start()].strip()


def _run_end(text: str, tokens: list[re.Match], i: int, connectors: frozenset[str], numbers: bool) -> int:
    """End of the run of capitalised words from token i, allowing a connector between two of them and, with
    ``numbers``, a trailing number ("Children Act 2004")."""
    j = i + 1
    while j < len(tokens) and _spaced(text, tokens[j - 1], tokens[j]):
        word = tokens[j].group()
        if word[0].isupper() or (numbers and word.isdigit() and j > i + 1):
            j += 1
        elif (word.lower() in connectors and j + 1 < len(tokens) and tokens[j + 1].group()[0].isupper()
              and _spaced(text, tokens[j], tokens[j + 1])):
            j += 2
        else:
            break
    return j


def name_runs(text: str, connectors: frozenset[str] = CONNECTORS, strip_openers: bool = True,
              numbers: bool = True) -> list[Name]:
    """Runs of capitalised words, in order. Leading stop words and sentence openers are dropped ("The Early Years
    Foundation Stage" -> "Early Years Foundation Stage") unless ``strip_openers`` is False."""
    tokens = list(TOKEN.finditer(text))
    found, i = [], 0
    while i < len(tokens):
        if not tokens[i].group()[0].isupper():
            i += 1
            continue
        j = _run_end(text, tokens, i, connectors, numbers)
        k = i
        while strip_openers and k < j and tokens[k].group().lower() in OPENERS:
            k += 1
        if k < j:
            start, last = tokens[k].start(), tokens[j - 1]
            name = re.sub(r"'s$", "", text[start:last.end()])
            found.append(Name(name, start, j - k))
        i = j
    return found


def capitalised_words(text: str) -> list[str]:
    """Capitalised words after the first word ("I" left out), possessives dropped."""
    tokens = [t.split("'")[0] for t in re.findall(r"[A-Za-z\u00C0-\u024F][\w'-]*", text)]
    return [t for t in tokens[1:] if len(t) > 1 and t[0].isupper()]


def name_stems(text: str) -> list[tuple[str, frozenset[str]]]:
    """Runs of two or more capitalised words with the set of their stems, word order aside
    ("Every Child Matters" -> {every, child, matter})."""
    out = []
    for name in name_runs(text, connectors=frozenset(), strip_openers=False, numbers=False):
        stems = frozenset(terms(name.text))
        if name.words >= 2 and len(stems) >= 2:
            out.append((name.text, stems))
    return out
