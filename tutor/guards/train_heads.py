"""Fitting the classifier's two extra heads (``heads.py``) on the train split and choosing their thresholds on dev.

- ``immediate``: on the flagged messages (disclosure or concern) that say whether the danger is now (the contrast
  messages carry ``immediate``); its threshold keeps ``IMMEDIATE_RECALL`` of the dev messages marked immediate
  (an emergency line too many costs little; one missing costs much).
- ``audience``: on the flagged messages whose speaker is known (``heads.audience_of``); its threshold is the lowest
  at which the dev messages it names are named right at least ``AUDIENCE_PRECISION`` of the time, so below it the
  policy's general message is shown.
"""

from __future__ import annotations

import numpy as np

from .heads import Head, audience_of, fit_head

IMMEDIATE_RECALL, AUDIENCE_PRECISION = 0.95, 0.95
FLAGGED = ("disclosure", "concern")


def immediate_rows(rows: list[dict]) -> list[int]:
    return [i for i, r in enumerate(rows) if r["label"] in FLAGGED and "immediate" in r]


def audience_rows(rows: list[dict]) -> list[int]:
    return [i for i, r in enumerate(rows) if r["label"] in FLAGGED and audience_of(r)]


def recall_threshold(p: np.ndarray, truth: np.ndarray, recall: float) -> float:
    """The highest threshold at which ``recall`` of the true rows score at or above it.

    >>> recall_threshold(np.array([0.9, 0.2, 0.6, 0.1]), np.array([True, False, True, False]), 1.0)
    0.6
    """
    positives = np.sort(p[truth])
    k = int(np.floor((1 - recall) * len(positives) + 1e-9))
    return float(positives[k]) if len(positives) else 0.5


def precision_threshold(p: np.ndarray, right: np.ndarray, precision: float) -> float:
    """The lowest threshold at which the rows at or above it are right at least ``precision`` of the time."""
    for t in sorted(set(np.round(p, 4))):
        chosen = p >= t
        if chosen.any() and right[chosen].mean() >= precision:
            return float(t)
    return 1.01  # never confident enough: always the general message


def fit_heads(train: list[dict], x_train: np.ndarray, dev: list[dict], x_dev: np.ndarray) -> tuple[dict, dict]:
    """The two heads as artefact entries, and their dev figures."""
    out, figs = {}, {}
    a, b = immediate_rows(train), immediate_rows(dev)
    if a and b:
        head = fit_head(x_train[a], [str(bool(train[i]["immediate"])) for i in a], 0.5)
        p = head.probabilities(x_dev[b])[:, list(head.classes).index("True")]
        truth = np.array([bool(dev[i]["immediate"]) for i in b])
        t = recall_threshold(p, truth, IMMEDIATE_RECALL)
        head = Head(head.coef, head.intercept, head.classes, t)
        out["immediate"] = head.to_dict()
        figs["immediate"] = {"dev_messages": len(b), "recall": round(float((p[truth] >= t).mean()), 4),
                             "false_immediate": round(float((p[~truth] >= t).mean()), 4) if (~truth).any() else 0.0}
    a, b = audience_rows(train), audience_rows(dev)
    if a and b:
        head = fit_head(x_train[a], [audience_of(train[i]) for i in a], 0.5)
        p = head.probabilities(x_dev[b])
        right = np.array([head.classes[k] == audience_of(dev[i]) for k, i in zip(p.argmax(axis=1), b)])
        t = precision_threshold(p.max(axis=1), right, AUDIENCE_PRECISION)
        out["audience"] = Head(head.coef, head.intercept, head.classes, t).to_dict()
        named = p.max(axis=1) >= t
        figs["audience"] = {"dev_messages": len(b), "named": round(float(named.mean()), 4),
                            "right_when_named": round(float(right[named].mean()), 4) if named.any() else None}
    return out, figs
