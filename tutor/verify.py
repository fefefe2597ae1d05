"""Does a sentence say only what its cited passages say? A support score from lexical overlap and embedding
similarity, with hard checks on numbers and negation.

>>> v = Verifier(embed=None)
>>> v.support("Twelve agencies failed.", ["The inquiry found failings in as many as twelve agencies."]) > 0.5
True
>>> v.support("Five agencies failed.", ["The inquiry found failings in as many as twelve agencies."])
0.0
"""

from __future__ import annotations

import re
import threading
from typing import Callable, Sequence

import numpy as np

from .text import numbers, terms, words

_NEGATION = {"not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "cannot", "without"}
_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(\[])")


def negated(text: str) -> bool:
    ws = words(text.replace("n't", " not"))
    return bool(_NEGATION & set(ws))


class Verifier:
    """Scores support; ``embed`` maps a list of texts to unit vectors (None: lexical only, for tests)."""

    def __init__(self, embed: Callable[[list[str]], list[list[float]]] | None, threshold: float = 0.55,
                 lexical_weight: float = 0.5):
        self.embed, self.threshold, self.lexical_weight = embed, threshold, lexical_weight
        self._cache: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def vectors(self, texts: Sequence[str]) -> list[np.ndarray]:
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing and self.embed is not None:
            vecs = self.embed(missing)
            with self._lock:
                if len(self._cache) > 20_000:
                    self._cache.clear()
                self._cache.update({t: np.asarray(v, dtype=np.float32) for t, v in zip(missing, vecs)})
        return [self._cache[t] for t in texts]

    def support(self, sentence: str, passages: Sequence[str]) -> float:
        """0..1: how well the passages (jointly) support the sentence."""
        if not passages:
            return 0.0
        joined = " ".join(passages)
        if numbers(sentence) - numbers(joined):
            return 0.0  # a number the passages never state
        sent_terms = set(terms(sentence))
        if not sent_terms:
            return 0.0
        lexical = len(sent_terms & set(terms(joined))) / len(sent_terms)
        if self.embed is None:
            semantic = lexical
            best = joined
        else:
            units = [s for p in passages for s in _SENT.split(p) if s.strip()]
            vecs = self.vectors([sentence] + units)
            sims = [float(np.dot(vecs[0], v)) for v in vecs[1:]]
            i = int(np.argmax(sims))
            semantic, best = max(0.0, sims[i]), units[i]
            if sims[i] < 0.5 and len(units) > 1:  # a sentence may fuse two passage sentences
                whole = self.vectors([joined])[0]
                semantic = max(semantic, float(np.dot(vecs[0], whole)))
        if negated(sentence) != negated(best) and negated(sentence) != negated(joined):
            return 0.0  # says the opposite
        w = self.lexical_weight
        return round(w * lexical + (1 - w) * semantic, 4)

    def supported(self, sentence: str, passages: Sequence[str]) -> bool:
        return self.support(sentence, passages) >= self.threshold
