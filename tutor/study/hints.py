""""Help me work it out": hints from an answered question instead of the answer, then the learner's own try.

- The answering sentence: of the answer's cited sentences, one that is not a heading, gives the kind of answer
  asked for and shares most of the question's words (``answering_sentence``).
- Hint 1, where to look: the unit (and section, when the citation knows it) and the cited passage with the
  answering sentence left out, and any other sentence containing the key span left out too; so are the answer's
  other sentences (quoting them would give the answer: measured, leakage on the development cases went from 1 to
  28 of 93 with them in).
- Hint 2: the answering sentence with its key span blanked, and its other words that the question does not use
  cut to their first letter ("t____"): those words are often the rest of the answer, and would give it away.
- The key span: the checked direct answer (``Answer.direct``) when there is one and it is words of the sentence;
  else the sentence's best quiz candidate (``items.candidates``) that the question does not already state, one of
  the kind the question asks for first (a number for "how many"); else its rarest content word not in the question
  (lowest word frequency, ``zipf``; four letters or more).
- The learner's try is checked like a quiz answer (``checking``: case, small typos, number words); the full answer
  is shown only after a try or on request.

>>> hide_key("The review found failings in twelve services.", "twelve")
'The review found failings in _____ services.'
>>> initials("The review found failings in _____ services.", "Which failings did the review find?")
'The review f____ failings in _____ s_______.'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from ..text import STOPWORDS, content_words, squash, stem, terms, words, zipf
from ..text.kinds import asked_kinds, gives
from ..text.sentences import sentences
from .checking import check, normalise
from .items import BLANK, QuizItem, candidates, good_sentence

_MARKER = re.compile(r"\s*\[\d+\]")


@dataclass(frozen=True)
class Hints:
    where: str  # "unit › section" (the unit alone when the section is not known)
    passage: str  # hint 1: the cited passage without the answering sentences or any naming the key span
    blanked: str  # hint 2: the answering sentence with the key span blanked
    key: str  # the key span (never shown before a try or a request)
    sentence: str  # the answering sentence, whole (the full answer)
    item: QuizItem  # the key span as a quiz item, so a try is checked like a quiz answer

    def hint_texts(self) -> tuple[str, str]:
        """What the learner sees before trying: hint 1 (place and passage) and hint 2."""
        return f"{self.where}\n{self.passage}", self.blanked

    def attempt(self, response: str):
        """Check the learner's try: a ``checking.Result``."""
        return check(self.item, response)


def hide_key(sentence: str, key: str) -> str:
    """Every occurrence of the key span blanked, whatever its case."""
    return re.sub(re.escape(key), BLANK, sentence, flags=re.IGNORECASE)


def mentions(sentence: str, key: str) -> bool:
    """Whether a sentence names the key span, as words or as a number in either form ("12" / "twelve")."""
    return f" {normalise(key)} " in f" {normalise(sentence)} "


def _stems(text: str) -> set[str]:
    return {stem(w) for w in words(text)}


def initials(text: str, question: str) -> str:
    """Words the question does not use cut to their first letter; numbers blanked; stop words and blanks kept."""
    asked = _stems(question)

    def cut(m: re.Match) -> str:
        word = m.group()
        if word == BLANK or word.lower() in STOPWORDS or stem(word.lower()) in asked:
            return word
        if word[0].isdigit() or len(word) == 1:  # a number, or an initial ("H. M."): nothing of it shown
            return "_" * len(word)
        return word[0] + "_" * (len(word) - 1)
    return re.sub(r"_____|[A-Za-z0-9][\w'’-]*", cut, text)


def key_span(sentence: str, direct: str = "", question: str = "") -> tuple[str, str]:
    """(key span, kind) of an answering sentence: see the module docstring for the order."""
    direct = _MARKER.sub("", direct or "").strip()
    if direct and direct.lower() in sentence.lower() and normalise(direct) != normalise(sentence):
        return sentence[sentence.lower().index(direct.lower()):][:len(direct)], "direct"
    asked, kinds = _stems(question), asked_kinds(question)
    found = [c for c in candidates(sentence) if not _stems(c[0]) <= asked]
    found.sort(key=lambda c: 0 if (c[2] == "number") == ("number" in kinds or "year" in kinds) else 1)
    if found:
        return found[0][0], found[0][2]
    new = [w for w in dict.fromkeys(content_words(sentence)) if len(w) >= 4 and stem(w) not in asked]
    if not new:
        return "", ""
    rare = min(new, key=lambda w: (zipf(w), -len(w)))
    match = re.search(rf"\b{re.escape(rare)}\b", sentence, flags=re.IGNORECASE)
    return (match.group(), "word") if match else ("", "")


def _same(a: str, b: str) -> bool:
    x, y = squash(a), squash(b)
    return bool(x and y) and (x in y or y in x)


def answering_sentence(answer, question: str = ""):
    """The answer's sentence the hints are about: of those that cite a passage, one that reads as a sentence
    (``items.good_sentence``: not a heading), then one giving the kind of answer asked for (a number for "how
    many"), then the one sharing most of the question's words; the first on a tie."""
    cited = [s for s in answer.sentences if s.citations]
    asked, kinds = set(terms(question)), asked_kinds(question)

    def rank(pair):
        i, s = pair
        text = _MARKER.sub("", s.evidence or s.text)
        return (not good_sentence(text), not any(gives(k, text, question) for k in kinds),
                -len(asked & set(terms(text))), i)
    return min(enumerate(cited), key=rank)[1] if cited else None


def hints_for(answer, question: str = "", unit_title: Callable[[str], str] = lambda slug: slug) -> Hints | None:
    """Hints for an answered, on-question ``Answer`` to ``question``; None when there is nothing to hint at
    (declined, safeguarding, only the closest passages, or no cited sentence with a key span)."""
    if answer.status != "answered" or not answer.on_question or not answer.sentences:
        return None
    first = answering_sentence(answer, question)
    cited = {c.n: c for c in answer.citations}
    if first is None or first.citations[0] not in cited:
        return None
    citation = cited[first.citations[0]]
    sentence = _MARKER.sub("", first.evidence or first.text).strip()
    key, kind = key_span(sentence, answer.direct, question)
    if not key:
        return None
    quoted = [_MARKER.sub("", s.evidence or s.text) for s in answer.sentences]  # together, they are the answer
    kept = [p for p in sentences(citation.display or citation.text)
            if not mentions(p, key) and not any(_same(p, q) for q in quoted)]
    section = getattr(citation, "section", "") or ""
    where = " › ".join(x for x in (unit_title(citation.unit), section) if x)
    start = sentence.lower().index(key.lower())
    item = QuizItem(citation.chunk_id, sentence, key, kind, start, citation.source, citation.paragraph,
                    citation.start, citation.end, citation.display or citation.text, citation.text, unit=citation.unit)
    return Hints(where, " ".join(kept), initials(hide_key(sentence, key), question), key, sentence, item)
