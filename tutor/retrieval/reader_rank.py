"""Which sentences answer, and whether any does, read by the reader (issue 25).

The reader (``reader.py``: a cross-encoder fine-tuned on learners' questions, reading each candidate sentence with
its neighbours) gives every candidate sentence of the retrieved passages the probability that it answers the
question; that probability is the ranking. Whether the best of them answers at all is a logistic regression over
the top probabilities (``Answerability``), trained on the learner-question dataset's answerable questions against
its near misses and far questions (``python -m tutor.training.answerability``); below its threshold the tutor shows
the closest passages, said as such. The object has the sentence ranker's interface (``rank``, ``choose``,
``answers``), so the pipeline takes either.

>>> a = Answerability(np.zeros(len(ANSWER_FEATURES)), np.ones(len(ANSWER_FEATURES)), np.array([4.0, 0, 0, 0]), -2.0, 0.5)
>>> a.probability([0.9, 0.2]) > 0.5 > a.probability([0.1, 0.05])
True
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ConfigError
from .passages import Passage, candidate_sentences
from .ranking import Scored, choose
from .reader import with_neighbours

ANSWER_FEATURES = ("top", "second", "margin", "top3")
ANSWERABILITY_FILE = "answerability.json"
REBUILD = "python -m tutor.training.answerability"


def answer_features(probs) -> np.ndarray:
    """The features of the best-first probabilities of a question's candidate sentences.

    >>> answer_features([0.8, 0.3, 0.1]).round(2).tolist()
    [0.8, 0.3, 0.5, 0.4]
    """
    p = sorted((float(x) for x in probs), reverse=True) + [0.0, 0.0, 0.0]
    return np.array([p[0], p[1], p[0] - p[1], sum(p[:3]) / 3])


@dataclass(frozen=True)
class Answerability:
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    threshold: float  # below: only the closest passages (chosen on the development books and units)

    def probability(self, probs) -> float:
        z = ((answer_features(probs) - self.mean) / self.scale) @ self.coef + self.intercept
        return float(1.0 / (1.0 + np.exp(-z)))

    @classmethod
    def from_dict(cls, d: dict) -> "Answerability":
        if tuple(d.get("features", ())) != ANSWER_FEATURES:
            raise ConfigError(f"The answerability model was trained on other features. Run: {REBUILD}")
        return cls(np.asarray(d["mean"]), np.asarray(d["scale"]), np.asarray(d["coef"]), float(d["intercept"]),
                   float(d["threshold"]))


def neighbours_text(passages: list[Passage], found: dict[str, tuple[int, int]]) -> dict[str, str]:
    """Each candidate sentence with the sentences before and after it in its passage (the reader's second text)."""
    out = {}
    for p in passages:
        sents = tuple(p.chunk.sentence_texts())
        for i, s in enumerate(sents):
            if s in found and s not in out:
                out[s] = with_neighbours(sents, i)
    return out


class ReaderRanker:
    """The reader's ranking of candidate sentences, the answer's selection and the answerability decision."""

    def __init__(self, reader, answerability: Answerability, selection: dict):
        self.reader, self.answerability, self.selection = reader, answerability, dict(selection)

    def rank(self, question: str, search_text: str, passages: list[Passage], question_vector=None,
             search_vector=None, vectors=None) -> list[Scored]:
        found = candidate_sentences(passages)
        if not found:
            return []
        texts = neighbours_text(passages, found)
        sentences = list(found)
        probs = self.reader.scores(search_text, [texts.get(s, s) for s in sentences])
        scored = [Scored(float(p), *found[s], s) for s, p in zip(sentences, probs)]
        return sorted(scored, key=lambda t: t.score, reverse=True)

    def choose(self, ranked: list[Scored]) -> list[Scored]:
        return choose(ranked, **self.selection)

    def answers(self, ranked: list[Scored]) -> bool:
        return bool(ranked) and self.answerability.probability([s.score for s in ranked]) >= self.answerability.threshold


def load_reader_ranker(folder: Path, reader) -> ReaderRanker:
    path = Path(folder) / ANSWERABILITY_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return ReaderRanker(reader, Answerability.from_dict(data), data.get("selection", {}))
    except FileNotFoundError:
        raise ConfigError(f"The answerability model is missing ({path}). Run: {REBUILD}") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"The answerability model at {path} is damaged ({exc}). Run: {REBUILD}") from None
