"""Does the unit answer this question? One calibrated decision, made before any answer is drafted: the features
of the question against its retrieved passages and the unit's vocabulary (``features``) go into a logistic
regression trained on the development units (``python -m tutor.training.scope``), and the tutor declines
below the threshold chosen there. The old chain of separate checks (numbers, names, terms, answer kinds the unit
never gives) lives on as features, weighed by the model instead of each deciding alone.
"""

from __future__ import annotations


from pathlib import Path

import numpy as np

from ..errors import ConfigError
from ..retrieval.hybrid import Retrieval
from ..artefacts import load_json_model
from ..retrieval.ranking import Scored
from ..retrieval.vocabulary import Vocabulary
from ..text import STOPWORDS, content_words, fold, squash, stem, terms, zipf
from ..text.kinds import kind_support, missing_kind
from ..text.names import capitalised_words, name_stems
from ..text.numbers import numbers
from .patterns import patterns
from .premise import claim_terms

MODEL = Path(__file__).with_name("models") / "scope.json"
REBUILD = "python -m tutor.training.scope"


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


FEATURES = ("top_dense", "top_sentence", "dense_margin", "best_answer", "coverage_passages", "coverage_unit",
            "rare_missing", "absent_max", "pairs_missing", "unknown_names", "missing_numbers", "undefined_term",
            "missing_kind", "kind_support")


def features(retrieval: Retrieval, ranked: list[Scored], vocabulary: Vocabulary) -> dict[str, float]:
    """The evidence that the unit answers the question, as numbers: how close the best passages and sentences
    come, how many of the question's words the passages and the unit contain (rare words weigh more), and what
    the question names or asks for that the unit never gives."""
    question, hits = retrieval.query.corrected, retrieval.passages
    dense = [h.dense for h in hits] or [0.0]
    asked = [t for t in dict.fromkeys(claim_terms(question))]
    top_text = " ".join(h.chunk.text for h in hits[:3])
    in_top = set(terms(top_text))
    words = [w for w in dict.fromkeys(content_words(question)) if len(w) > 2]
    weight = {w: max(0.5, 7.0 - zipf(w)) for w in words}
    absent = [w for w in words if stem(w) not in vocabulary.stems and squash(w) not in vocabulary.squashed]
    pairs = list(zip(asked, asked[1:]))  # "consumer surplus": both words in the unit, never together
    return {
        "top_dense": max(dense), "top_sentence": max((h.sentence for h in hits), default=0.0),
        "dense_margin": max(dense) - sum(dense) / len(dense), "best_answer": ranked[0].score if ranked else 0.0,
        "coverage_passages": sum(t in in_top for t in asked) / len(asked) if asked else 0.0,
        "coverage_unit": sum(t in vocabulary.stems for t in asked) / len(asked) if asked else 0.0,
        "rare_missing": sum(weight[w] for w in absent) / sum(weight.values()) if words else 0.0,
        "absent_max": max((weight[w] for w in absent), default=0.0),
        "pairs_missing": sum(p not in vocabulary.pairs for p in pairs) / len(pairs) if pairs else 0.0,
        "unknown_names": float(bool(unknown_names(question, vocabulary))),
        "missing_numbers": float(bool(missing_numbers(question, [h.chunk.text for h in hits]))),
        "undefined_term": float(bool(undefined_term(question, vocabulary))),
        "missing_kind": float(bool(missing_kind(question, [s.text for s in ranked[:3]]))),
        "kind_support": kind_support(question, [s.text for s in ranked[:5]]),
    }


class ScopeModel:
    """A logistic regression over ``FEATURES`` giving the probability that the unit answers the question, and the
    threshold below which the tutor declines (chosen on held-out development units for a decline precision of at
    least 0.95), read from its JSON artefact."""

    def __init__(self, model: dict):
        if tuple(model.get("features", ())) != FEATURES:
            raise ConfigError(f"The scope model was trained on other features. Run: {REBUILD}")
        self.mean, self.scale = np.asarray(model["mean"]), np.asarray(model["scale"])
        self.coef, self.intercept = np.asarray(model["coef"]), float(model["intercept"])
        self.threshold = float(model["threshold"])

    def probability(self, values: dict[str, float]) -> float:
        x = (np.asarray([values[f] for f in FEATURES]) - self.mean) / self.scale
        return float(1.0 / (1.0 + np.exp(-(x @ self.coef + self.intercept))))


def load_scope(path: Path = MODEL) -> ScopeModel:
    return load_json_model(path, ScopeModel, "scope model", REBUILD)


def out_of_scope(retrieval: Retrieval, ranked: list[Scored], vocabulary: Vocabulary, model: ScopeModel,
                 threshold: float | None = None) -> str:
    """Why the unit does not answer the question, or "" when it may."""
    if not retrieval.passages:
        return "nothing retrieved"
    if not ranked:
        return "no retrieved passage has a sentence an answer could quote"
    values = features(retrieval, ranked, vocabulary)
    p = model.probability(values)
    if p >= (model.threshold if threshold is None else threshold):
        return ""
    return f"the unit does not seem to answer it (p = {p:.2f}; {_strongest(values)})"


def _strongest(values: dict[str, float]) -> str:
    """The clearest reason to tell tutors, from the features."""
    if values["unknown_names"]:
        return "it names something the unit never mentions"
    if values["missing_numbers"] or values["undefined_term"]:
        return "it asks about a number or term the unit never uses"
    if values["missing_kind"]:
        return "no passage gives the kind of answer it asks for"
    return f"closest passage similarity {values['top_dense']:.2f}"
