"""Shared text helpers: tokenising, stop words and stemming, used by keyword search, spelling and verification.

>>> terms("What did Lord Laming's inquiry find?")
['lord', 'lame', 'inquiri', 'find']
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below between
both but by can could did do does doing done down during each else ever few for from further get got had has
have having he her here hers herself him himself his how i if in into is it its itself just let me might more
most much must my myself no nor not now of off on once only or other our ours ourselves out over own per please
same shall she should so some such tell than that the their theirs them themselves then there these they this
those through to too under until up upon us very was we were what whats when where which while who whom whose
why will with within would yes yet you your yours yourself yourselves thing things one ones something anything
way ways kind sort really actually basically like say says said
""".split())

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def fold(text: str) -> str:
    """Lowercase without accents: "Climbié" -> "climbie"."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("\u2019", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def squash(text: str) -> str:
    """Folded letters and digits only, spaces and hyphens gone: "Whistle blowing" -> "whistleblowing"."""
    return re.sub(r"[^a-z0-9]", "", fold(text))


def words(text: str) -> list[str]:
    """Lowercased word tokens, accents and possessives dropped ("Ted's" -> "ted")."""
    out = []
    for w in _WORD.findall(fold(text)):
        if "'" in w:
            w = w.split("'", 1)[0]
        out.append(w)
    return out


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    return _stemmer().stemWord(word)


def terms(text: str) -> list[str]:
    """Stemmed content words (stop words removed), in order."""
    return [stem(w) for w in words(text) if w not in STOPWORDS]


NUMBER_WORDS = {"two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
                "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "twenty": "20",
                "thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "hundred": "100"}


def numbers(text: str) -> set[str]:
    """Numbers named in a text, as digits ("twelve agencies" -> {"12"}); "one" is left out, being a pronoun
    as often as a number."""
    found = set()
    for w in words(text):
        if w.isdigit():
            found.add(w.lstrip("0") or "0")
        elif w in NUMBER_WORDS:
            found.add(NUMBER_WORDS[w])
    return found
