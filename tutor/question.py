"""The first stage: a learner's question and earlier questions, checked and normalised.

>>> check_question("  What\\x07 is   it? ", ["earlier one", "  "])
Asked(question='What is it?', history=('earlier one',), unit=None)
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .errors import InputError
from .text.tokens import straighten


@dataclass(frozen=True)
class Asked:
    question: str
    history: tuple[str, ...] = ()
    unit: str | None = None  # the unit to answer from; None: every unit


def clean_text(text) -> str:
    """NFC, quotes straightened, control characters as spaces, whitespace collapsed."""
    q = straighten(unicodedata.normalize("NFC", "" if text is None else str(text)))
    q = "".join(ch if ch in "\n\t" or unicodedata.category(ch)[0] != "C" else " " for ch in q)
    return re.sub(r"\s+", " ", q).strip()


def check_question(question, history=(), limit: int = 2000, unit: str | None = None) -> Asked:
    """Refuse an empty or over-long question with a clear message; never cut it."""
    q = clean_text(question)
    if not q:
        raise InputError("Please type a question about the unit.")
    if len(q) > limit:
        raise InputError(f"That question is {len(q):,} characters long; the limit is {limit:,}. "
                         "Please ask a shorter question (nothing was cut off or sent).")
    return Asked(q, tuple(h for h in (clean_text(h) for h in history) if h), unit or None)
