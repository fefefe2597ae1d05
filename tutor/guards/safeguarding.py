"""Is a learner telling us that a real child (possibly themself) may be at risk now? Checked first, on every
question: a disclosure gets signposting, before and instead of an answer.

>>> is_disclosure("the boy I babysit says his dad locks him in a cupboard")
True
>>> is_disclosure("What are the signs that a child is being neglected?")
False
"""

from __future__ import annotations

from .patterns import any_match, patterns


def is_disclosure(text: str) -> bool:
    found = patterns("disclosure")
    t = text.replace("\u2019", "'")
    return any_match(found["harm"], t) and any_match(found["real_person"], t)
