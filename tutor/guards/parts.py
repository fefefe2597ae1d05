"""The parts of a learner's message that the safeguarding classifier reads: the whole message, each sentence, and
the clauses of a long sentence. A disclosure inside a longer study message (or phrased as a study question) is
then read on its own, not averaged away by the words around it; the most serious part decides.

>>> message_parts("Can you explain the CAF? My uncle hurts me when mum is out, and I am scared to go home.")
('Can you explain the CAF? My uncle hurts me when mum is out, and I am scared to go home.', 'Can you explain the CAF?', 'My uncle hurts me when mum is out, and I am scared to go home.')
>>> message_parts("what is a care order? my dad hits me")[1:]
('what is a care order?', 'my dad hits me')
>>> message_parts("Tell me about memory")
('Tell me about memory',)
"""

from __future__ import annotations

import re

from ..text.sentences import sentences

LONG = 16  # words: a sentence longer than this is also read clause by clause
SHORT = 4  # words: a clause shorter than this joins the one before it (it means little alone)
MOST = 48  # parts read at most (the whole message first, then its sentences, then clauses), bounding the work
# Where the project's splitter does not end a sentence but a learner's text-speak does: "?" or "!" then space, or a
# full stop after a word of two or more letters followed by a lower-case word ("caf. my dad ...").
_LOOSE_END = re.compile(r"(?<=[?!])\s+|(?<=[A-Za-z]{2}\.)\s+(?=[a-z])")
# Clause boundaries inside a long sentence: semicolons, dashes, and before "but", "because", "although", "so that".
# Not commas or colons: they cut a case study's framing from its story ("Case study: Sam, 9, has ...").
_CLAUSE = re.compile(r"\s*;\s+|\s+[-\u2013\u2014]+\s+|\s+(?=(?:but|because|although|though|so that)\b)", re.I)


def clauses(sentence: str) -> list[str]:
    """The clauses of a long sentence (a short one is left whole); tiny clauses join the one before.

    >>> clauses("I have read the chapter on attachment for my essay, but last night my stepdad locked me out again")
    ['I have read the chapter on attachment for my essay,', 'but last night my stepdad locked me out again']
    """
    if len(sentence.split()) <= LONG:
        return [sentence]
    pieces, start = [], 0
    for m in _CLAUSE.finditer(sentence):
        pieces.append(sentence[start:m.start()].strip())
        start = m.end()
    pieces.append(sentence[start:].strip())
    joined: list[str] = []
    for piece in (p for p in pieces if p):
        if joined and min(len(piece.split()), len(joined[-1].split())) < SHORT:
            joined[-1] = f"{joined[-1]} {piece}"
        else:
            joined.append(piece)
    return joined


def message_parts(text: str) -> tuple[str, ...]:
    """The whole message, then its sentences and the clauses of long ones: each distinct, at most ``MOST``."""
    text = text.strip()
    found = [text]
    for sentence in sentences(text):
        loose = [s.strip() for s in _LOOSE_END.split(sentence) if s.strip()]
        found.extend(loose)
        for piece in loose:
            found.extend(clauses(piece))
    seen: dict[str, None] = {}
    for part in found:
        if part and any(c.isalnum() for c in part):
            seen.setdefault(part, None)
    return tuple(seen)[:MOST]
