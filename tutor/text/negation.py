"""Negation: does a text say "not"? Used by verification (a sentence that negates its passage is not supported)
and quiz checking ("not Leeds" is not "Leeds").

>>> negated("The review isn't public."), negated("The review is public.")
(True, False)
"""

from __future__ import annotations

from pathlib import Path

from .tokens import word_file, words

NEGATIONS = word_file(Path(__file__).with_name("negations.txt"))


def negated(text: str) -> bool:
    return bool(NEGATIONS & set(words(text.replace("n't", " not"))))
