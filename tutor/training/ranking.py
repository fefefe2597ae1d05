"""Train the sentence ranking on the development units, deterministically: ``python -m tutor.training.ranking``.

For every answerable development case, the tutor retrieves passages as it would for a learner; each candidate
sentence is labelled 1 when it states one of the case's key facts or lies within one of its gold quotes. A
logistic regression over ``ranking.FEATURES`` is fitted on all of them; leave-one-unit-out figures (fit on two
development units, measure on the third) are printed so the gain is measured on units the model did not see.
The selection policy (how many sentences an answer takes) is chosen on those held-out predictions too.
"""

from __future__ import annotations

import itertools

import numpy as np

from ..artefacts import fingerprint
from ..evals.cases import case_sets
from ..evals.metrics import has_fact, matches
from ..question import Asked
from ..reading import read
from ..retrieval.ranking import FEATURES, MODEL, Scored, SentenceRanker, choose, features
from .common import train_command

POLICIES = [dict(same=m, others=o, relative=r, floor=f) for m, o, r, f in
            itertools.product((0, 1, 2, 3, 4), (0, 1, 2), (0.5, 0.7, 0.9), (0.05, 0.2, 0.3))]


def examples(resources) -> list[dict]:
    """One record per development case: its unit, candidate sentences with features and labels, and the gold."""
    out = []
    for cases in case_sets("dev"):
        for case in (c for c in cases.cases if c.kind == "answerable"):
            reading = read(resources, Asked(case.question, tuple(case.history), cases.unit), rank=False)
            r, passages = reading.retrieval, reading.retrieval.passages
            found, x = features(case.question, r.query.text, passages, reading.question_vector, r.query_vector)
            labels = [float(any(has_fact(s, f) for f in case.key_facts) or
                            any(matches(q, s) for q in case.gold_quotes)) for s, _, _ in found]
            out.append({"unit": cases.unit, "case": case, "found": found, "x": x, "y": np.asarray(labels),
                        "raw": {p.n: p.chunk.raw for p in passages}})
    return out


def fit(rows: list[dict]) -> dict:
    from sklearn.linear_model import LogisticRegression

    x = np.vstack([r["x"] for r in rows if len(r["x"])])
    y = np.concatenate([r["y"] for r in rows if len(r["x"])])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=1.0, max_iter=2000).fit((x - mean) / scale, y)
    return {"features": list(FEATURES), "mean": mean.tolist(), "scale": scale.tolist(),
            "coef": model.coef_[0].tolist(), "intercept": float(model.intercept_[0])}


def answer_figures(rows: list[dict], probs: list[np.ndarray], policy: dict) -> tuple[float, float]:
    """(key-fact coverage, gold precision of the cited passages) of the answers the policy would give."""
    facts, gold = [], []
    for r, p in zip(rows, probs):
        ranked = sorted((Scored(float(pi), n, idx, s) for pi, (s, n, idx) in zip(p, r["found"])), key=lambda t: -t.score)
        chosen = choose(ranked, **policy)
        text = " ".join(t.text for t in chosen)
        facts.append(float(bool(chosen) and all(has_fact(text, f) for f in r["case"].key_facts)))
        gold += [any(matches(r["raw"][n], q) for q in r["case"].gold_quotes) for n in {t.n for t in chosen}]
    return float(np.mean(facts)), float(np.mean(gold)) if gold else 0.0


CLOSEST_PRECISION = 0.5  # "does not answer this directly" must be right at least this often (held out)


def answers_threshold(rows: list[dict], probs: list[np.ndarray], policy: dict) -> float:
    """The best sentence's probability below which the tutor says the unit does not answer the question directly:
    the highest cut (with at least five answers below it) at which that claim is right, the answer lacking its
    key facts, at least ``CLOSEST_PRECISION`` of the time on held-out development units. Saying it of a good
    answer misleads a learner more than showing the closest passages without saying so."""
    tops, good = [], []
    for r, p in zip(rows, probs):
        ranked = sorted((Scored(float(pi), n, idx, s) for pi, (s, n, idx) in zip(p, r["found"])), key=lambda t: -t.score)
        text = " ".join(t.text for t in choose(ranked, **policy))
        tops.append(ranked[0].score if ranked else 0.0)
        good.append(bool(ranked) and all(has_fact(text, f) for f in r["case"].key_facts))
    tops, good = np.asarray(tops), np.asarray(good)
    best = 0.0
    for t in sorted(set(tops.tolist())):
        below = tops < t
        if below.sum() >= 5 and (~good[below]).mean() >= CLOSEST_PRECISION:
            best = t
    return round(best, 6)


def held_out(rows: list[dict]) -> list[np.ndarray]:
    """Each row's probabilities from a model fitted without its unit."""
    units = sorted({r["unit"] for r in rows})
    probs: dict[int, np.ndarray] = {}
    for unit in units:
        model = SentenceRanker(fit([r for r in rows if r["unit"] != unit]))
        for i, r in enumerate(rows):
            if r["unit"] == unit:
                probs[i] = model.probabilities(r["x"]) if len(r["x"]) else np.zeros(0)
    return [probs[i] for i in range(len(rows))]


def train(resources) -> tuple[dict, str]:
    rows = examples(resources)
    probs = held_out(rows)
    scored = sorted(((answer_figures(rows, probs, p), p) for p in POLICIES), key=lambda t: -(t[0][0] + t[0][1]))
    (facts, gold), policy = scored[0]
    model = {**fit(rows), "selection": policy, "answers_threshold": answers_threshold(rows, probs, policy),
             "held_out": {"key_facts": round(facts, 3), "gold_precision": round(gold, 3)},
             "cases": len(rows), "data": fingerprint([r["case"].id for r in rows])}
    return model, (f"{len(rows)} development cases; held out by unit: key facts {facts:.3f}, gold precision "
                   f"{gold:.3f} with {policy}")


def main(argv: list[str] | None = None) -> int:
    return train_command("python -m tutor.training.ranking", __doc__, MODEL, train, argv)


if __name__ == "__main__":
    raise SystemExit(main())
