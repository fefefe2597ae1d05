"""Numbers written as digits or as words, made comparable: "twelve firms" and "12 firms" name the same
number. Words become digits with text2num; ``number_words`` lists words for digits with num2words.

>>> sorted(numbers("Twelve firms, sixty-eight visits and a 13-year-old; one of them came 1,000 times."))
['1000', '12', '13', '68']
>>> to_digits("a twelve-year-old"), sorted(numbers("the fifth outcome"))
('a 12 year old', [])
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_HYPHEN = re.compile(r"(?<=[A-Za-z])-(?=[A-Za-z])")
_DIGITS = re.compile(r"(?<![\w.])\d+(?:,\d{3})*(?:\.\d+)?(?![\w])")


@lru_cache(maxsize=50_000)
def to_digits(text: str) -> str:
    """Number words as digits ("sixty-eight" -> "68"); "one" stays a word (it is a pronoun as often as a number)
    and ordinals stay as they are ("fifth")."""
    from text_to_num import alpha2digit

    converted = alpha2digit(_HYPHEN.sub(" ", text), "en", threshold=2)
    # text2num writes ordinals as "5th": put the word back, an ordinal is not a count
    return re.sub(r"\b(\d+)(st|nd|rd|th)\b", lambda m: _ordinal_word(m.group(0), text), converted)


def _ordinal_word(digits: str, original: str) -> str:
    return digits if digits in original else ordinal_words().get(digits, digits)


@lru_cache(maxsize=1)
def ordinal_words() -> dict[str, str]:
    from num2words import num2words

    return {f"{n}{('th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th'))}":
            num2words(n, to="ordinal") for n in range(1, 101)}


@lru_cache(maxsize=50_000)
def numbers(text: str) -> frozenset[str]:
    """The numbers a text names, as digits without thousands separators or leading zeros."""
    return frozenset((d.replace(",", "").lstrip("0") or "0") for d in _DIGITS.findall(to_digits(text)))


@lru_cache(maxsize=1)
def number_words() -> dict[str, str]:
    """{"two": "2", ..., "one hundred": "100"}: the words for small numbers, for tolerant checking of typed
    answers ("twelev" is one typo from "twelve")."""
    from num2words import num2words

    return {num2words(n).replace(",", ""): str(n) for n in range(0, 101)}


def normalise_answer(text: str) -> str:
    """Lowercase, no accents, punctuation or possessives, number words as digits ("Sixty!" -> "60")."""
    text = (text or "").replace("\u2019", "'")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)  # "2,000" -> "2000"
    text = re.sub(r"'s\b", "", to_digits(text).lower())
    return " ".join(re.findall(r"[a-z0-9]+", text.replace("&", " and ")))
