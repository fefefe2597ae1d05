"""Query understanding without an LLM: spelling repair from the corpus vocabulary, acronym expansion, and
follow-up expansion from the conversation history.

>>> qp = QueryProcessor(Vocabulary.build(["The Annual Budget Review (ABR) is used when a Spending Plan is made."]))
>>> qp.correct("wot is the anual budjet reveiw")
'what is the annual budget review'
>>> qp.expand_acronyms("what is an abr")
'what is an abr (Annual Budget Review)'
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..text import STOPWORDS, terms, words, zipf
from .vocabulary import Vocabulary

_DATA = tomllib.loads(Path(__file__).with_name("query.toml").read_text(encoding="utf-8"))
SHORTHAND: dict[str, str] = _DATA["shorthand"]
PRONOUNS = frozenset(_DATA["follow_up"]["pronouns"])


@dataclass
class Query:
    original: str
    text: str  # what retrieval searches for
    corrected: str  # after spelling repair
    expanded_from_history: bool = False


class QueryProcessor:
    """Repairs questions against what the units know (a ``Vocabulary``)."""

    def __init__(self, vocabulary: Vocabulary):
        from symspellpy import SymSpell

        self.vocab, self.acronyms = vocabulary.counts, vocabulary.acronyms
        self.sym = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
        for word, count in self.vocab.items():
            if word.isalpha() and len(word) > 2:
                self.sym.create_dictionary_entry(word, count)

    def correct(self, question: str) -> str:
        """Replace words that are neither in the corpus nor common English with the nearest corpus word."""
        from symspellpy import Verbosity

        def fix(m: re.Match) -> str:
            word = m.group()
            low = word.lower()
            if low in SHORTHAND:
                return SHORTHAND[low]
            if (len(low) < 4 or not low.isalpha() or low in self.vocab or low in STOPWORDS
                    or low.upper() in self.acronyms):
                return word
            if zipf(low) >= 3.0:  # a real English word ("learners", "abuser"): leave it
                return word
            distance = 1 if len(low) <= 5 else 2
            suggestions = self.sym.lookup(low, Verbosity.CLOSEST, max_edit_distance=distance)
            if not suggestions:
                return word
            best = max(suggestions, key=lambda s: (-s.distance, s.count))
            return best.term

        return re.sub(r"[A-Za-z0-9/]+", fix, question)

    def expand_acronyms(self, question: str) -> str:
        extra = []
        for token in re.findall(r"\b[A-Za-z]{2,6}\b", question):
            acr = token.upper()
            if acr in self.acronyms and (token.isupper() or zipf(token) < 3.0):
                long = self.acronyms[acr]
                if long.lower() not in question.lower() and long not in extra:
                    extra.append(long)
        return question + "".join(f" ({e})" for e in extra)

    @staticmethod
    def is_follow_up(question: str) -> bool:
        ws = words(question)
        return bool(PRONOUNS & set(ws)) or len(terms(question)) < 2

    def process(self, question: str, history: list[str] | tuple[str, ...] = ()) -> Query:
        corrected = self.correct(question)
        text = self.expand_acronyms(corrected)
        expanded = False
        if history and self.is_follow_up(corrected):
            earlier = [h for h in history if terms(h)][-2:]  # the last two turns: a follow-up of a follow-up
            if earlier:
                text = " ".join(self.expand_acronyms(self.correct(h)) for h in earlier) + " " + text
                expanded = True
        return Query(original=question, text=text, corrected=corrected, expanded_from_history=expanded)
