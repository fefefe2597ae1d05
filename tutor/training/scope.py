"""Train the scope decision on the development units, deterministically: ``python -m tutor.training.scope``.

Examples: every answerable development case (label 1) and every out-of-scope one (label 0), each asked of its own
unit; each answerable question also asked of one other development unit, where it is out of scope (label 0:
questions from another subject, the commonest "far" case). For each, the tutor retrieves and ranks as it would for
a learner, and ``scope.features`` describes the evidence. A logistic regression is fitted on all of them. The
decline threshold is chosen on leave-one-unit-out predictions (fit on two development units, decide on the
third, own-unit cases only): the highest threshold whose declines are at least 95% out-of-scope questions.
"""

from __future__ import annotations

import numpy as np

from ..artefacts import fingerprint
from ..evals.cases import case_sets
from ..guards.scope import FEATURES, MODEL, ScopeModel, features
from ..question import Asked
from ..reading import read
from .common import train_command

PRECISION = 0.95  # of the questions declined, at least this share must be out of scope


def examples(resources) -> list[dict]:
    sets = case_sets("dev")
    units = [s.unit for s in sets]
    rows = []
    for k, cases in enumerate(sets):
        other = units[(k + 1) % len(units)]
        for case in (c for c in cases.cases if c.kind in ("answerable", "out_of_scope")):
            label = float(case.kind == "answerable")
            rows.append(_row(resources, case, cases.unit, cases.unit, label))
            if label:
                rows.append(_row(resources, case, other, cases.unit, 0.0))
    return rows


def _row(resources, case: dict, unit: str, home: str, label: float) -> dict:
    reading = read(resources, Asked(case.question, tuple(case.history), unit))
    values = features(reading.retrieval, reading.ranked, resources.live().retriever.vocabulary(unit))
    return {"id": case.id, "home": home, "own": unit == home, "near": "near_miss" in case.tags,
            "x": [values[f] for f in FEATURES], "y": label}


def fit(rows: list[dict]) -> dict:
    from sklearn.linear_model import LogisticRegression

    x, y = np.asarray([r["x"] for r in rows]), np.asarray([r["y"] for r in rows])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=1.0, max_iter=5000, class_weight="balanced").fit((x - mean) / scale, y)
    return {"features": list(FEATURES), "mean": mean.tolist(), "scale": scale.tolist(),
            "coef": model.coef_[0].tolist(), "intercept": float(model.intercept_[0]), "threshold": 0.5}


def held_out(rows: list[dict]) -> list[tuple[float, dict]]:
    """(probability, row) of each own-unit case, from a model fitted without its unit's cases."""
    out = []
    for unit in sorted({r["home"] for r in rows}):
        model = ScopeModel(fit([r for r in rows if r["home"] != unit]))
        out += [(model.probability(dict(zip(FEATURES, r["x"]))), r) for r in rows
                if r["home"] == unit and r["own"]]
    return out


def threshold(scored: list[tuple[float, dict]]) -> tuple[float, dict]:
    """The highest decline threshold at which decline precision >= PRECISION, and the figures it gives."""
    best = (0.0, {})
    for t in sorted({p for p, _ in scored} | {0.0}):
        cut = t + 1e-9
        declined = [r for p, r in scored if p < cut]
        if not declined or sum(r["y"] == 0 for r in declined) / len(declined) >= PRECISION:
            best = (cut, figures(scored, cut))
    return best


def figures(scored: list[tuple[float, dict]], cut: float) -> dict:
    oos = [p for p, r in scored if r["y"] == 0]
    near = [p for p, r in scored if r["y"] == 0 and r["near"]]
    answerable = [p for p, r in scored if r["y"] == 1]
    declined = [r for p, r in scored if p < cut]
    return {"decline_accuracy": round(float(np.mean([p < cut for p in oos])), 3) if oos else None,
            "near_miss_decline": round(float(np.mean([p < cut for p in near])), 3) if near else None,
            "answerable_declined": round(float(np.mean([p < cut for p in answerable])), 3),
            "decline_precision": round(sum(r["y"] == 0 for r in declined) / len(declined), 3) if declined else None}


def train(resources) -> tuple[dict, str]:
    rows = examples(resources)
    cut, held = threshold(held_out(rows))
    model = {**fit(rows), "threshold": round(cut, 6), "held_out": held, "examples": len(rows),
             "data": fingerprint([(r["id"], r["own"]) for r in rows])}
    return model, f"{len(rows)} examples from the development units; threshold {cut:.3f}; held out by unit: {held}"


def main(argv: list[str] | None = None) -> int:
    return train_command("python -m tutor.training.scope", __doc__, MODEL, train, argv)


if __name__ == "__main__":
    raise SystemExit(main())
