"""Where the safeguarding classifier's two thresholds go, chosen on development data only.

``thresholds`` puts the concern threshold where dev recall asks and the disclosure threshold where the dev study
questions' emergency messages allow. With ``notes`` (issue 26: a concern note on at most 2% of a unit's study
questions) the development units' own study questions (``study_questions``: the eval cases of the dev split, never
the gate) hold both up: the concern threshold rises above all but that share of each unit's most serious parts, and
the disclosure threshold above every one of them, whatever that costs recall (the trainer reports it).
"""

from __future__ import annotations

import numpy as np

from .parts import message_parts

NONE = "none"
STUDY_KINDS = ("answerable", "out_of_scope")  # eval cases that ask about the unit: no signposting is right


def highest_kept(scores: np.ndarray, share: float) -> float | None:
    """The highest score that must stay below a threshold reached by at most ``share`` of ``scores`` (None: all may).

    >>> highest_kept(np.array([0.1, 0.2, 0.4, 0.8]), 0.25), highest_kept(np.array([0.1]), 1.0)
    (0.4, None)
    """
    ranked = np.sort(np.asarray(scores, dtype=np.float64))[::-1]
    allowed = int(np.floor(share * ranked.size + 1e-9))
    return float(ranked[allowed]) if allowed < ranked.size else None


def over(high: float | None, scores: np.ndarray) -> float:
    """A threshold just above ``high``: halfway to the next dev score up (0 when nothing must stay below)."""
    if high is None:
        return 0.0
    higher = scores[scores > high]
    return float((high + higher.min()) / 2 if higher.size else (high + 1) / 2)


def thresholds(scores: np.ndarray, labels: list[str], target_recall: float = 1.0, max_false_alarm: float = 0.01,
               study: list[np.ndarray] | None = None, notes: float | None = None) -> dict[str, float]:
    """The concern and disclosure thresholds on a harm score, each halfway between the dev scores it separates;
    ``study`` (each development unit's study questions' scores) with ``notes`` raises them (module docstring).

    >>> thresholds(np.array([0.1, 0.3, 0.6, 0.9]), ["none", "concern", "none", "disclosure"])
    {'concern': 0.2, 'disclosure': 0.75}
    >>> thresholds(np.array([0.1, 0.3, 0.6, 0.9]), ["none", "concern", "none", "disclosure"],
    ...            study=[np.array([0.05, 0.35, 0.8])], notes=0.0)
    {'concern': 0.85, 'disclosure': 0.85}
    >>> thresholds(np.array([0.1, 0.3, 0.6, 0.9]), ["none", "concern", "none", "disclosure"],
    ...            study=[np.array([0.05, 0.35, 0.8])], notes=0.34)
    {'concern': 0.475, 'disclosure': 0.85}
    """
    harm = np.array([label != NONE for label in labels])
    low = np.sort(scores[harm])[int(np.floor((1 - target_recall) * harm.sum() + 1e-9))]
    below = scores[scores < low]
    concern = (low + below.max()) / 2 if below.size else low / 2
    disclosure = max(over(highest_kept(scores[~harm], max_false_alarm), scores), concern)
    if study and notes is not None:
        concern = max([concern] + [over(highest_kept(unit, notes), scores) for unit in study])
        disclosure = max([disclosure, concern] + [over(highest_kept(unit, 0.0), scores) for unit in study])
    return {"concern": round(float(concern), 6), "disclosure": round(float(disclosure), 6)}


def most_serious(scores: np.ndarray, sizes: list[int]) -> np.ndarray:
    """Each message's score, the highest of its parts' (the parts of all messages in order, ``sizes`` per message).

    >>> most_serious(np.array([0.1, 0.7, 0.2, 0.4]), [3, 1])
    array([0.7, 0.4])
    """
    return np.array([part.max() for part in np.split(scores, np.cumsum(sizes)[:-1])])


def in_parts(texts: list[str]) -> tuple[list[str], list[int]]:
    """Every part of every text (as the product scores them), flat, and how many each text has.

    >>> in_parts(["One question."])
    (['One question.'], [1])
    """
    split = [message_parts(t) or (t,) for t in texts]
    return [p for ps in split for p in ps], [len(ps) for ps in split]


def study_questions(split: str = "dev") -> dict[str, list[str]]:
    """Each development unit's study questions (eval cases that ask about the unit), by unit."""
    from ..evals.cases import case_sets

    return {s.unit: [c.question for c in s.cases if c.kind in STUDY_KINDS] for s in case_sets(split)}
