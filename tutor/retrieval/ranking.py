"""Which sentences of the retrieved passages answer the question: a learned ranking.

Each candidate sentence (body text or a list item of a retrieved passage: never a heading, caption, table,
question or learning objective) is described by features of it against the question; a logistic regression
trained on the development units (``python -m tutor.training.ranking``) turns them into the probability
that the sentence answers the question. The answer, the scope decision and the verifier's replacements all use
this ranking.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..artefacts import load_json_model
from ..errors import ConfigError
from ..ingest.embed import Vectors
from ..text import terms
from ..text.kinds import asked_kinds, gives
from .passages import Passage, candidate_sentences

MODEL = Path(__file__).with_name("models") / "sentence_ranker.json"
REBUILD = "python -m tutor.training.ranking"
# Tried on the development units and left out (no gain held out): the passage's share of the top fused score,
# sentence length, being a list item, being a paragraph's first sentence, the sentence's similarity rank.
# Also tried: the reader's probability (``reader.Reader``, a cross-encoder fine-tuned on textbook quizzes): no gain
# held out on the development units, and on the gate one citation fewer on the first unit (README, Evaluation).
FEATURES = ("cos_question", "cos_search", "words_question", "words_search", "passage_rank", "kind", "defines")
_DATA = tomllib.loads(Path(__file__).with_name("ranking.toml").read_text(encoding="utf-8"))
_DEFINITION_QUESTION = re.compile(_DATA["definition_question"], re.IGNORECASE)


@dataclass(frozen=True)
class Scored:
    score: float  # probability that the sentence answers the question
    n: int  # the passage it comes from
    index: int  # its sentence number in the source document (reading order)
    text: str
    features: tuple[float, ...] = ()


def defined_term(question: str) -> str | None:
    """The term a "What is X?" question asks about ("What is a demand curve?" -> "demand curve")."""
    m = _DEFINITION_QUESTION.search(question.strip())
    term = m and next((g for g in m.groups() if g), None)
    if not term:
        return None
    term = re.sub(r"^(?:meaning|definition)\s+of\s+(?:(?:a|an|the)\s+)?", "", term.strip(" '\""), flags=re.I)
    return term if len(term.split()) <= 6 else None


@lru_cache(maxsize=2048)
def _definition_patterns(term: str) -> tuple[re.Pattern, ...]:
    return tuple(re.compile(p.replace("$term", re.escape(term)), re.IGNORECASE) for p in _DATA["definition_sentence"])


def _shares(sentence: str, q_terms: set[str], x_terms: set[str]) -> tuple[float, float]:
    st = set(terms(sentence))
    return (len(q_terms & st) / len(q_terms) if q_terms else 0.0, len(x_terms & st) / len(x_terms) if x_terms else 0.0)


def sentence_vectors(sentences: list[str], passages: list[Passage], vectors: Vectors | None = None) -> np.ndarray | None:
    """The sentences' unit vectors: those ingest stored (carried by the passages), any others from ``vectors``
    (None when some have no vector and there is no model to make one)."""
    stored = {s: v for p in passages for s, v in p.sentence_vectors().items()}
    missing = [s for s in sentences if s not in stored]
    if missing and vectors is not None and vectors.embed is not None:
        stored.update(zip(missing, vectors(missing)))
    if not sentences or any(s not in stored for s in sentences):
        return None
    return np.stack([np.asarray(stored[s], dtype=np.float32) for s in sentences])


def features(question: str, search_text: str, passages: list[Passage], question_vector=None, search_vector=None,
             vectors: Vectors | None = None) -> tuple[list[tuple[str, int, int]], np.ndarray]:
    """The candidate sentences as (text, passage n, document sentence index) and their feature matrix. The
    similarities come from the question's and the search text's vectors against the sentences' stored ones."""
    seen = candidate_sentences(passages)
    sentences = list(seen)
    if not sentences:
        return [], np.zeros((0, len(FEATURES)))
    cos_q = cos_x = np.zeros(len(sentences))
    mat = sentence_vectors(sentences, passages, vectors) if question_vector is not None and len(question_vector) else None
    if mat is not None:
        cos_q = mat @ np.asarray(question_vector, dtype=np.float32)
        cos_x = mat @ np.asarray(search_vector if search_vector is not None else question_vector, dtype=np.float32)
    rows = sentence_features(question, search_text, sentences, cos_q, cos_x, [seen[s][0] for s in sentences])
    return [(s, *seen[s]) for s in sentences], rows


def sentence_features(question: str, search_text: str, sentences: list[str], cos_q, cos_x, ranks: list[int]
                      ) -> np.ndarray:
    """The ``FEATURES`` of each sentence, given its similarities to the question and the search text and the rank
    of the passage it comes from (the comparison on the learner-question books gives every sentence rank 1)."""
    q_terms, x_terms = set(terms(question)), set(terms(search_text))
    kinds, term = asked_kinds(question), defined_term(question)
    rows = []
    for i, s in enumerate(sentences):
        kind = 0.0 if not kinds else (1.0 if any(gives(k, s, question) for k in kinds) else -1.0)
        defines = float(bool(term) and any(p.search(s) for p in _definition_patterns(term)))
        rows.append((float(cos_q[i]), float(cos_x[i]), *_shares(s, q_terms, x_terms), 1.0 / ranks[i], kind, defines))
    return np.asarray(rows, dtype=np.float64).reshape(len(sentences), len(FEATURES))


def choose(ranked: list[Scored], same: int = 3, others: int = 0, relative: float = 0.5, floor: float = 0.05
           ) -> list[Scored]:
    """The answer's sentences: the best, up to ``same`` more from its passage (the next best of them, as its
    context), and up to ``others`` from other passages scoring at least ``floor`` and ``relative`` of the best. The
    best leads (the sentence that answers comes first, not the one before it); the rest follow in reading order.
    The defaults are overridden by the policy chosen with the model (``SentenceRanker.selection``)."""
    if not ranked:
        return []
    top = ranked[0]
    rest = [t for t in ranked[1:] if t.n == top.n][:same]
    rest += [t for t in ranked[1:] if t.n != top.n and t.score >= max(floor, relative * top.score)][:others]
    return [top] + sorted(rest, key=lambda t: (t.n != top.n, t.index))


class SentenceRanker:
    """A logistic regression over ``FEATURES`` (standardised), read from its JSON artefact, with the selection
    policy chosen on held-out development units."""

    def __init__(self, model: dict):
        if tuple(model.get("features", ())) != FEATURES:
            raise ConfigError(f"The sentence ranking model was trained on other features. Run: {REBUILD}")
        self.mean, self.scale = np.asarray(model["mean"]), np.asarray(model["scale"])
        self.coef, self.intercept = np.asarray(model["coef"]), float(model["intercept"])
        self.selection = dict(model.get("selection", {}))
        # below this, the best sentence probably does not answer the question (chosen on held-out dev units)
        self.answers_threshold = float(model.get("answers_threshold", 0.0))

    def answers(self, ranked: list[Scored]) -> bool:
        """Does the best sentence seem to answer the question, or are these only the closest passages?"""
        return bool(ranked) and ranked[0].score >= self.answers_threshold

    def choose(self, ranked: list[Scored]) -> list[Scored]:
        return choose(ranked, **self.selection)

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(((x - self.mean) / self.scale) @ self.coef + self.intercept)))

    def rank(self, question: str, search_text: str, passages: list[Passage], question_vector=None,
             search_vector=None, vectors: Vectors | None = None) -> list[Scored]:
        """Every candidate sentence with its probability of answering, best first."""
        found, x = features(question, search_text, passages, question_vector, search_vector, vectors)
        if not found:
            return []
        probs = self.probabilities(x)
        scored = [Scored(float(p), n, index, s, tuple(row)) for (s, n, index), p, row in zip(found, probs, x)]
        return sorted(scored, key=lambda t: t.score, reverse=True)


def load_ranker(path: Path = MODEL) -> SentenceRanker:
    return load_json_model(path, SentenceRanker, "sentence ranking model", REBUILD)
