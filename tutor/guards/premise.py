"""False premises: the claim a question takes for granted, when a content word of it appears nowhere in the unit.
The learner is told, and the answer quotes what the unit does say.

>>> from ..text import terms
>>> vocabulary = set(terms("the harbour act 1890 and the lighthouse keepers"))
>>> false_premise("Why did the Harbour Act 1890 dismiss the lighthouse keepers?", vocabulary)
'the Harbour Act 1890 dismiss the lighthouse keepers'
>>> false_premise("Why are lighthouse keepers needed?", vocabulary) is None
True
"""

from __future__ import annotations

from functools import lru_cache

from ..text import terms
from .patterns import patterns


@lru_cache(maxsize=1)
def _framing() -> frozenset[str]:
    return frozenset(terms(patterns("premise")["framing"][0].pattern))


def claim_terms(claim: str) -> list[str]:
    """The claim's stemmed content words, its framing words ("explain", "main") left out."""
    return [t for t in terms(claim) if t not in _framing()]


def false_premise(text: str, vocabulary: set[str]) -> str | None:
    for pattern in patterns("premise")["patterns"]:
        m = pattern.search(text.strip().rstrip("?.! "))
        if not m:
            continue
        claim = m.group(1).strip(" ,")
        found = claim_terms(claim)
        missing = [t for t in found if t not in vocabulary and not t.isdigit()]
        if found and missing and len(missing) < len(found):
            return claim
    return None
