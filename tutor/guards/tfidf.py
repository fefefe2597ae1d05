"""The TF-IDF features of the safeguarding classifier: scikit-learn's TfidfVectorizer (sublinear tf) redone from
the terms and idf weights saved in the artefact, so scoring needs no scikit-learn."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

WORD = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's token pattern
ANALYZERS = {"word": (1, 2), "char_wb": (3, 5)}  # the TF-IDF n-grams (scikit-learn's names), as ngrams() makes them


def clean(text: str) -> str:
    return text.replace("\u2019", "'")  # curly apostrophes read as straight ones


def ngrams(analyzer: str, text: str) -> list[str]:
    """scikit-learn's analyzers, lowercased: ``word`` 1-2-grams of its tokens, ``char_wb`` 3-5-grams of each
    space-padded word.

    >>> ngrams("word", "Mum hits me"), ngrams("char_wb", "I am")[:4]
    (['mum', 'hits', 'me', 'mum hits', 'hits me'], [' i ', ' am', 'am ', ' am '])
    """
    text = text.lower()
    if analyzer == "word":
        tokens = WORD.findall(text)
        return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]
    grams = []
    for word in text.split():
        padded = f" {word} "
        for n in range(3, 6):
            grams.extend(padded[i:i + n] for i in range(max(len(padded) - n + 1, 1)))
            if len(padded) <= n:
                break
    return grams


@dataclass(frozen=True)
class Tfidf:
    """TfidfVectorizer (sublinear tf) redone from saved terms and idf; each block, and all, of unit length."""

    terms: dict[str, dict[str, int]]  # analyzer -> n-gram -> column within its block
    idf: dict[str, np.ndarray]  # analyzer -> weight per column

    def transform(self, texts: list[str]) -> np.ndarray:
        blocks = []
        for analyzer, index in self.terms.items():
            block = np.zeros((len(texts), len(index)))
            for row, text in enumerate(texts):
                for gram, n in Counter(g for g in ngrams(analyzer, clean(text)) if g in index).items():
                    block[row, index[gram]] = 1.0 + math.log(n)
            block *= self.idf[analyzer]
            blocks.append(block / np.maximum(np.linalg.norm(block, axis=1, keepdims=True), 1e-12))
        return np.hstack(blocks) / math.sqrt(len(blocks))

    @classmethod
    def from_dict(cls, data: dict) -> "Tfidf":
        terms = {a: {g: i for i, g in enumerate(d["terms"])} for a, d in data.items()}
        idf = {a: np.asarray(d["idf"], dtype=np.float64) for a, d in data.items()}
        if any(a not in ANALYZERS or set(d) != {"terms", "idf"} or idf[a].shape != (len(terms[a]),)
               for a, d in data.items()):
            raise ValueError(f"tfidf needs analyzers among {sorted(ANALYZERS)}, each with an idf per term")
        return cls(terms, idf)
