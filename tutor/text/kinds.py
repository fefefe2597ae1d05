"""The kind of answer a question asks for (a number, an age, a year, a duration, a name) and whether a sentence
gives one. Patterns are data (``answer_kinds.toml``); number words count as numbers.

>>> asked_kinds("How many agencies were involved?"), asked_kinds("What is a review?")
(['number'], [])
>>> gives("number", "Twelve agencies took part.", "How many agencies were involved?")
True
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from .names import capitalised_words
from .numbers import numbers, to_digits
from .tokens import terms, words

_DATA = tomllib.loads(Path(__file__).with_name("answer_kinds.toml").read_text(encoding="utf-8"))
ASKS = {kind: re.compile(p, re.IGNORECASE) for kind, p in _DATA["asks"].items()}
GIVES = {kind: re.compile(p, re.IGNORECASE) for kind, p in _DATA["gives"].items()}
ORDER = ("age", "year", "number", "duration", "name")  # the order they are checked in
FACTOID = re.compile(_DATA["factoid"]["asks"], re.IGNORECASE)


def is_factoid(question: str) -> bool:
    """Can a short exact answer settle it (a person, a place, a date, a number)?

    >>> is_factoid("Who led the review?"), is_factoid("Why did prices rise?")
    (True, False)
    """
    return bool(FACTOID.search(question))


def asked_kinds(question: str) -> list[str]:
    return [k for k in ORDER if ASKS[k].search(question)]


def new_names(sentence: str, question: str) -> set[str]:
    """Capitalised words in a sentence (not its first) that the question does not contain."""
    asked = set(words(question))
    return {w for w in capitalised_words(sentence) if w.lower() not in asked}


def gives(kind: str, sentence: str, question: str) -> bool:
    """Does the sentence give an answer of this kind that the question does not already state?"""
    if kind == "number":
        return bool(numbers(sentence) - numbers(question))
    if kind == "name":
        return bool(new_names(sentence, question))
    if kind == "year":
        return bool(set(GIVES["year"].findall(sentence)) - set(GIVES["year"].findall(question)))
    return bool(GIVES[kind].search(to_digits(sentence)))


def missing_kind(question: str, sentences: list[str]) -> str | None:
    """The first kind of answer the question asks for that none of the sentences gives, or None."""
    return next((k for k in asked_kinds(question) if not any(gives(k, s, question) for s in sentences)), None)


def kind_support(question: str, sentences: list[str]) -> float:
    """For a question asking a kind of answer: the largest share of its other content words found in one sentence
    that gives that kind (0.0 when none gives it). 1.0 for a question asking no kind. "What year did X die?"
    is poorly supported by a sentence giving a year for something else.

    >>> kind_support("How many agencies were involved?", ["Twelve agencies were involved.", "It rained."])
    1.0
    >>> kind_support("In what year did the mill close?", ["The mill opened in 1850."])
    0.5
    """
    kinds = asked_kinds(question)
    if not kinds:
        return 1.0
    rest = question
    for k in kinds:
        rest = ASKS[k].sub(" ", rest)
    asked = set(terms(rest))
    giving = [s for s in sentences if all(gives(k, s, question) for k in kinds)]
    if not giving:
        return 0.0
    if not asked:
        return 1.0
    return max(len(asked & set(terms(s))) / len(asked) for s in giving)
