"""Words: folding, tokenising, stop words, stemming and word frequency, shared by every stage.

>>> terms("What did the inquiry's chair find?")
['inquiri', 'chair', 'find']
>>> squash("Whistle-blowing"), words("Ted's café")
('whistleblowing', ['ted', 'cafe'])
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path


def word_file(path: Path) -> frozenset[str]:
    """The words of a data file: whitespace-separated, lines starting with # are comments."""
    text = path.read_text(encoding="utf-8")
    return frozenset(w for line in text.splitlines() if not line.startswith("#") for w in line.split())


STOPWORDS = word_file(Path(__file__).with_name("stopwords.txt"))
# Typographic quotes, dashes and spaces as plain ones: applied once where text enters (a document's clean text, a
# learner's question, a model's draft), so no later stage needs to straighten anything.
QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
                        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
                        "\u2013": "-", "\u2014": "-", "\u00a0": " ", "\u2009": " ", "\u200b": " "})


def straighten(text: str) -> str:
    """Curly quotes, long dashes and odd spaces as plain ones, one character for one (offsets still hold).

    >>> print(straighten("It\u2019s \u201cdone\u201d \u2013 now"))
    It's "done" - now
    """
    return text.translate(QUOTES)


_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def fold(text: str) -> str:
    """Lowercase without accents, curly apostrophes straightened: "Café" -> "cafe"."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("\u2019", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def squash(text: str) -> str:
    """Folded letters and digits only, spaces and hyphens gone: "Whistle blowing" -> "whistleblowing"."""
    return re.sub(r"[^a-z0-9]", "", fold(text))


def words(text: str) -> list[str]:
    """Lowercased word tokens, accents and possessives dropped ("Ted's" -> "ted")."""
    return [w.split("'", 1)[0] for w in _WORD.findall(fold(text))]


def content_words(text: str) -> list[str]:
    """Words that are not stop words, in order, unstemmed."""
    return [w for w in words(text) if w not in STOPWORDS]


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    return _stemmer().stemWord(word)


def terms(text: str) -> list[str]:
    """Stemmed content words (stop words removed), in order."""
    return [stem(w) for w in content_words(text)]


@lru_cache(maxsize=200_000)
def zipf(word: str) -> float:
    """How common a word is in English (Zipf scale, 0 = unknown, 7 = 'the'), from wordfreq."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word.lower(), "en")
