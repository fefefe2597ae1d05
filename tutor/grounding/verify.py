"""Does a sentence say only what its cited passages say? A support score from lexical overlap and embedding
similarity, with hard checks on numbers and negation.

>>> v = Verifier(Vectors(None))
>>> v.support("Twelve firms raised prices.", ["The report found that as many as twelve firms raised prices."]) > 0.5
True
>>> v.support("Five firms raised prices.", ["The report found that as many as twelve firms raised prices."])
0.0
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..ingest.embed import Vectors
from ..text import terms
from ..text.negation import negated
from ..text.numbers import numbers
from ..text.sentences import sentences


class Verifier:
    """Scores support; ``vectors`` embeds texts (``Vectors(None)``: lexical only, for tests)."""

    def __init__(self, vectors: Vectors, threshold: float = 0.55, lexical_weight: float = 0.5):
        self.vectors, self.threshold, self.lexical_weight = vectors, threshold, lexical_weight

    def support(self, sentence: str, passages: Sequence[str], units: Sequence[str] | None = None) -> float:
        """0..1: how well the passages (jointly) support the sentence. ``units`` are the passages' sentences when
        the caller has them as stored (their vectors are then known); otherwise the passages are split here."""
        if not passages:
            return 0.0
        joined = " ".join(passages)
        if numbers(sentence) - numbers(joined):
            return 0.0  # a number the passages never state
        sent_terms = set(terms(sentence))
        if not sent_terms:
            return 0.0
        lexical = len(sent_terms & set(terms(joined))) / len(sent_terms)
        if self.vectors.embed is None:
            semantic = lexical
            best = joined
        else:
            units = list(units) if units else [s for p in passages for s in sentences(p)]
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


@dataclass
class Sentence:
    text: str
    citations: list[int]
    support: float
    supported: bool
    evidence: str = ""  # the passage sentence that best supports it (highlighted in the UI)
