"""Query understanding without an LLM: spelling repair from the corpus vocabulary, acronym expansion, and
follow-up expansion from the conversation history.

>>> qp = QueryProcessor(["The Common Assessment Framework (CAF) is used when a Serious Case Review is done."])
>>> qp.correct("wot is the comon asessment framwork")
'wot is the common assessment framework'
>>> qp.expand_acronyms("what is a scr")
'what is a scr (Serious Case Review)'
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .clean import zipf
from .text import STOPWORDS, terms, words

_PRONOUNS = {"it", "its", "they", "them", "their", "this", "that", "these", "those", "he", "she", "his", "her",
             "him", "there", "then", "such", "same"}
_CAP_PHRASE = re.compile(r"\b(?:[A-Z][\w]*(?:'s)?\s+){1,5}[A-Z][\w]*")
_DEFINITION = re.compile(r"((?:[A-Z][\w]*(?:'s)?\s+){1,5}[A-Z][\w]*)\s*\(([A-Z]{2,6})(?:'s)?\)")


# Texting shorthand learners type; expanded before spelling repair.
SHORTHAND = {"u": "you", "ur": "your", "r": "are", "y": "why", "wot": "what", "wat": "what", "wht": "what",
             "hw": "how", "shud": "should", "shld": "should", "cud": "could", "wud": "would", "hav": "have",
             "bcoz": "because", "bc": "because", "cos": "because", "coz": "because", "abt": "about",
             "ppl": "people", "pls": "please", "plz": "please", "thx": "thanks", "dont": "don't", "didnt": "didn't",
             "every1": "everyone", "some1": "someone", "any1": "anyone", "b4": "before", "2day": "today",
             "gov": "government", "govt": "government", "esp": "especially", "n": "and", "w/": "with"}


@dataclass
class Query:
    original: str
    text: str  # what retrieval searches for
    corrected: str  # after spelling repair
    expanded_from_history: bool = False


class QueryProcessor:
    def __init__(self, texts: list[str]):
        from symspellpy import SymSpell

        self.vocab = Counter(w for t in texts for w in words(t))
        self.sym = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
        for word, count in self.vocab.items():
            if word.isalpha() and len(word) > 2:
                self.sym.create_dictionary_entry(word, count)
        self.acronyms = self._acronyms(texts)

    @staticmethod
    def _acronyms(texts: list[str]) -> dict[str, str]:
        """ACR -> long form, all from the corpus: explicit "Long Form (ACR)" definitions; then capitalised phrases
        of 3+ words, keyed by their initials (so "Early Years Foundation Stage" answers EYFS); an acronym the corpus
        uses without defining also matches a phrase with the same initials in another order (LSCB ->
        "Local Children's Safeguarding Board")."""
        found: dict[str, str] = {}
        used: set[str] = set()
        phrases: list[list[str]] = []
        for text in texts:
            text = text.replace("\u2019", "'")
            for long, acr in _DEFINITION.findall(text):
                found.setdefault(acr, " ".join(long.split()[-len(acr):]))
            used.update(re.findall(r"\b([A-Z]{2,6})(?:'s)?\b", text))
            phrases.extend(m.split() for m in _CAP_PHRASE.findall(text))
        by_initials: dict[str, str] = {}
        for ws in phrases:
            for n in range(3, min(6, len(ws)) + 1):
                for i in range(len(ws) - n + 1):
                    part = ws[i:i + n]
                    by_initials.setdefault("".join(w[0] for w in part).upper(), " ".join(part))
        for initials, phrase in by_initials.items():
            found.setdefault(initials, phrase)
        for acr in used - set(found):
            for initials, phrase in by_initials.items():
                if sorted(initials) == sorted(acr):
                    found[acr] = phrase
                    break
        return found

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
        for token in re.findall(r"\b[A-Za-z]{2,6}\b", question.replace("\u2019", "'")):
            acr = token.upper()
            if acr in self.acronyms and (token.isupper() or zipf(token) < 3.0):
                long = self.acronyms[acr]
                if long.lower() not in question.lower() and long not in extra:
                    extra.append(long)
        return question + "".join(f" ({e})" for e in extra)

    @staticmethod
    def is_follow_up(question: str) -> bool:
        ws = words(question)
        return bool(_PRONOUNS & set(ws)) or len(terms(question)) < 2

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
