"""Does the unit answer this question? Decided from the retrieval and the unit's vocabulary, before any answer is
drafted. A question is declined when it names a number, a name or a defined term the unit never mentions, when
the evidence is weak, or when it asks for a kind of answer (a year, a number, a name) no chosen sentence gives.

Thresholds were calibrated on the development set (README, "Evaluation"): every answerable dev question had a
best passage similarity >= 0.32 and a best sentence relevance >= 0.28, every off-topic one stayed under 0.19 and
0.14.
"""

from __future__ import annotations


from ..retrieval.hybrid import Retrieval
from ..retrieval.passages import Scored, choose
from ..retrieval.vocabulary import Vocabulary
from ..text import STOPWORDS, fold, squash, terms, zipf
from ..text.kinds import missing_kind
from ..text.names import capitalised_words, name_stems
from ..text.numbers import numbers
from .patterns import patterns

DENSE_MIN = 0.25
RELEVANCE_MIN = 0.22
KIND_WORDS = {"age": "an age", "year": "a year", "number": "a number", "duration": "a time or duration",
              "name": "a name"}


def missing_numbers(question: str, passages: list[str]) -> set[str]:
    """Numbers the question names that the passages never mention ("Section 47")."""
    have = set().union(*(numbers(p) for p in passages)) if passages else set()
    return set(numbers(question)) - have


def undefined_term(question: str, vocabulary: Vocabulary) -> str | None:
    """For "What is X?" (also "What does X mean?", "Define X") where X is a plain term of 1-4 words: X, when one
    of its words appears nowhere in the unit: not among its stems, not one of its acronyms, and not inside its
    text with spaces and hyphens taken out (so "whistleblowing" is found in "whistle blowing")."""
    found = next((m for m in (p.match(question) for p in patterns("definition")["patterns"]) if m), None)
    if not found:
        return None
    term = found.group("term").strip()
    parts = term.split()
    if not 1 <= len(parts) <= 4 or "'" in term or any(w.lower() in STOPWORDS for w in parts):
        return None  # a phrase with a possessive or a preposition is a question about something, not a term
    for w in parts:
        if w.upper() in vocabulary.acronyms or set(terms(w)) <= vocabulary.stems or squash(w) in vocabulary.squashed:
            continue
        return term
    return None


def unknown_names(question: str, vocabulary: Vocabulary) -> list[str]:
    """Names the unit never uses: capitalised words after the first that are not common English words, and runs
    of capitalised words that no name in the unit contains, word order aside."""
    found = [w for w in capitalised_words(question)
             if fold(w) not in vocabulary.words and zipf(w) < 4.0]  # common words ("MPs") are not names
    body = question.strip().split(None, 1)[1] if len(question.split()) > 1 else ""
    if not found and vocabulary.phrases:
        found = [text for text, stems in name_stems(body) if not vocabulary.knows_phrase(stems)]
    return found


def out_of_scope(retrieval: Retrieval, ranked: list[Scored], vocabulary: Vocabulary) -> str:
    """Why the unit does not answer the question, or "" when it may."""
    question = retrieval.query.corrected
    if not retrieval.hits:
        return "nothing retrieved"
    missing = missing_numbers(question, [h.chunk.text for h in retrieval.hits])
    if missing:
        return f"the unit never mentions {', '.join(sorted(missing))}"
    names = unknown_names(question, vocabulary)
    if names:
        return f"the unit never mentions {', '.join(names)}"
    term = undefined_term(question, vocabulary)
    if term:
        return f"the unit never mentions {term!r}"
    if retrieval.top_dense < DENSE_MIN:
        return f"weak evidence (similarity {retrieval.top_dense:.2f})"
    chosen = choose(ranked, max_sentences=3, others=2, context=False)
    best = max((c.score for c in chosen), default=0.0)
    if best < RELEVANCE_MIN:
        return f"no sentence answers it (best relevance {best:.2f})"
    kind = missing_kind(question, [c.text for c in chosen])
    return f"asks for {KIND_WORDS[kind]} the passages do not give" if kind else ""
