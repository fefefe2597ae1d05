"""Tolerant checking of a learner's quiz answer: case, accents, punctuation, possessives, a small typo, number words
for digits, a leading "the" or title, initials for a long term; never a negated answer.

>>> from .items import QuizItem
>>> s = "The review found failings in as many as twelve services."
>>> item = QuizItem("c1", s, "twelve", "number", s.index("twelve"), "unit.txt", 8, 0, 120, s, s)
>>> check(item, "12").correct, check(item, "twelv").correct, check(item, "eleven").correct
(True, True, False)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz.distance import OSA  # edit distance where a swapped pair of letters is one typo

from ..text.names import CONNECTORS
from ..text.negation import negated
from ..text.numbers import normalise_answer as normalise
from ..text.numbers import number_words
from .items import QuizItem

_TITLES = {"the", "lord", "lady", "sir", "dr", "mr", "mrs", "ms", "miss", "dame"}


@dataclass(frozen=True)
class Result:
    correct: bool
    expected: str
    feedback: str  # says right or wrong, quotes the sentence and cites the passage
    attempted: bool = True  # False for an empty reply, which is neither right nor wrong


def _variants(answer: str) -> set[str]:
    """Accepted forms of an answer: as is, without "the" or a title, and as initials for long terms."""
    norm = normalise(answer)
    words = norm.split()
    out = {norm}
    if words and words[0] in _TITLES and len(words) > 1:
        out.add(" ".join(words[1:]))
    content = [w for w in words if w not in CONNECTORS]
    if len(content) >= 3:
        out.add("".join(w[0] for w in content))
    return out


def _typo_numbers(text: str) -> str:
    """Misspelt number words as digits ("twelev" -> "12"); only used when the answer is a number."""
    def fix(w: str) -> str:
        if len(w) < 4 or w.isdigit():
            return w
        near = {d for word, d in number_words().items() if OSA.distance(w, word) <= 1}
        return near.pop() if len(near) == 1 else w
    return " ".join(fix(w) for w in text.split())


def _close(response: str, expected: str) -> bool:
    if any(ch.isdigit() for ch in expected):
        response = _typo_numbers(response)
    if any(ch.isdigit() for ch in expected) or any(ch.isdigit() for ch in response):
        return re.findall(r"\d+", response) == re.findall(r"\d+", expected) and \
            OSA.distance(re.sub(r"\d+", "", response), re.sub(r"\d+", "", expected)) <= 1
    allowed = 0 if len(expected) <= 4 else 1 if len(expected) <= 8 else 2
    return OSA.distance(response, expected) <= allowed


def is_correct(item: QuizItem, response: str) -> bool:
    got = normalise(response)
    if not got:
        return False
    if any(_close(got, v) for v in _variants(item.answer)):
        return True
    # "the Leeds district" for "Leeds": the answer inside a slightly longer reply, not negated
    words, expected = got.split(), normalise(item.answer)
    return f" {expected} " in f" {got} " and len(words) <= len(expected.split()) + 2 and not negated(response)


def check(item: QuizItem, response: str) -> Result:
    """Check a learner's answer tolerantly; the feedback quotes the sentence and cites its passage."""
    quote = f'"{item.sentence}" ({item.citation})'
    if not normalise(response):
        return Result(False, item.answer, "Type your answer in the box first.", attempted=False)
    if is_correct(item, response):
        return Result(True, item.answer, f"Correct: {item.answer}. The unit says: {quote}")
    return Result(False, item.answer, f"Not quite: the answer is {item.answer}. The unit says: {quote}")
