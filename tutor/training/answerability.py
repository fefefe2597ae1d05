"""Train the answerability decision: does any candidate sentence answer the question (issue 25, candidate (d))?

    python -m tutor.training.answerability [--reader DIR] [--max-as-if 0.05] [--same 1] [--others 0] [--max-train N]

For each question of the learner-question dataset, the candidates are the ``CANDIDATES`` sentences of its book
section that the index encoder ranks first (as retrieval hands the reader a handful of passages); the reader scores
each with its neighbours, and ``reader_rank.answer_features`` describes the best-first probabilities. A logistic
regression on the train books separates answerable questions from near misses and far questions; its threshold is
the lowest at which at most ``--max-as-if`` of the dev books' unanswerable questions would be answered as if they
were (the rest are shown as closest passages, said as such). Writes ``answerability.json`` beside the reader, with
the answer's selection policy (``--same``, ``--others``: see ``ranking.choose``).

``--max-train N`` fits on a seeded sample of N train questions (four features need far fewer than the 5,511; the
reader scores about 50 pairs a second on 2 cores). Beside the model the file records, on the dev books, the AUC of
the reader's features and of the same regression over the encoder's own similarities (the baseline), and each dev
book measured at the threshold the other dev book chose (so no book is measured at its own threshold).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from ..retrieval.reader import FOLDER, Reader, with_neighbours
from ..retrieval.reader_rank import ANSWER_FEATURES, ANSWERABILITY_FILE, answer_features
from .learner_rows import DATASET, Row, load, modules

CANDIDATES = 25


def candidate_probabilities(rows: list[Row], reader: Reader, embedder) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The reader's probabilities for each row's candidate sentences (its section's closest by the encoder), and the
    encoder's similarities for the same candidates (the baseline's scores)."""
    from .reading_compare import Embedded, similarity_scores

    units, out, similar = modules(), [], []
    cosines = similarity_scores(rows, Embedded(embedder))
    for i, (r, cos) in enumerate(zip(rows, cosines)):
        sents = units[r.module]
        top = np.argsort(-cos, kind="stable")[:CANDIDATES]
        out.append(reader.scores(r.query, [with_neighbours(sents, int(j)) for j in top]))
        similar.append(cos[top])
        if (i + 1) % 250 == 0:
            print(f"  {i + 1}/{len(rows)} questions read", flush=True)
    return out, similar


def fit(x: np.ndarray, y: np.ndarray) -> dict:
    from sklearn.linear_model import LogisticRegression

    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    model = LogisticRegression(C=1.0, max_iter=1000).fit((x - mean) / scale, y)
    return {"features": list(ANSWER_FEATURES), "mean": np.round(mean, 6).tolist(), "scale": np.round(scale, 6).tolist(),
            "coef": np.round(model.coef_[0], 6).tolist(), "intercept": round(float(model.intercept_[0]), 6)}


def probabilities(model: dict, x: np.ndarray) -> np.ndarray:
    z = ((x - np.asarray(model["mean"])) / np.asarray(model["scale"])) @ np.asarray(model["coef"]) + model["intercept"]
    return 1.0 / (1.0 + np.exp(-z))


def threshold(p: np.ndarray, y: np.ndarray, max_as_if: float) -> float:
    """The lowest threshold at which at most ``max_as_if`` of the unanswerable rows reach it.

    >>> threshold(np.array([0.9, 0.8, 0.3, 0.6]), np.array([1, 1, 0, 0]), 0.0)
    0.6001
    """
    neg = np.sort(p[y == 0])[::-1]
    allowed = int(np.floor(max_as_if * len(neg) + 1e-9))
    return round(float(neg[allowed]) + 1e-4, 6) if allowed < len(neg) else 0.0


def features_of(rows: list[Row], reader: Reader, embedder) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The reader's features, the same features of the encoder's similarities, and whether each row is answerable."""
    probs, similar = candidate_probabilities(rows, reader, embedder)
    return (np.stack([answer_features(p) for p in probs]), np.stack([answer_features(c) for c in similar]),
            np.array([int(r.answerable) for r in rows]))


def sample(rows: list[Row], most: int | None, seed: int = 25) -> list[Row]:
    """At most ``most`` rows, a seeded random sample in their first order (all when ``most`` is None)."""
    if most is None or most >= len(rows):
        return rows
    keep = np.sort(np.random.default_rng(seed).choice(len(rows), size=most, replace=False))
    return [rows[int(i)] for i in keep]


def measured(p: np.ndarray, y: np.ndarray, high: float) -> dict:
    shown = p >= high
    return {"questions": int(len(y)), "as_if_unanswerable": round(float(shown[y == 0].mean()), 4),
            "answerable_as_closest": round(float((~shown)[y == 1].mean()), 4)}


def dev_report(reader: np.ndarray, baseline: np.ndarray, y: np.ndarray, books: list[str], max_as_if: float) -> dict:
    """On the dev books: the AUC of the reader's regression and of the baseline's (the same regression over the
    encoder's similarities), and each book measured at the threshold the other books choose."""
    from .reading_compare import auc

    out = {"auc": round(auc(list(reader[y == 1]), list(reader[y == 0])), 4),
           "auc_similarity_baseline": round(auc(list(baseline[y == 1]), list(baseline[y == 0])), 4)}
    names = np.asarray(books)
    for book in sorted(set(books)):
        own, rest = names == book, names != book
        if rest.any():
            out[book] = {name: measured(p[own], y[own], threshold(p[rest], y[rest], max_as_if))
                         for name, p in (("reader", reader), ("similarity_baseline", baseline))}
    return out


def main(argv: list[str] | None = None) -> int:
    from ..ingest.embed import get_embedder

    parser = argparse.ArgumentParser(prog="python -m tutor.training.answerability", description=__doc__.split("\n")[0])
    parser.add_argument("--reader", type=Path, default=FOLDER, help="the reader's folder (the file is written there)")
    parser.add_argument("--encoder", default="onnx-learner", help="the index encoder that picks the candidates")
    parser.add_argument("--max-as-if", type=float, default=0.05)
    parser.add_argument("--same", type=int, default=1, help="sentences of the best one's passage added as context")
    parser.add_argument("--others", type=int, default=0, help="sentences of other passages added")
    parser.add_argument("--data", type=Path, default=DATASET)
    parser.add_argument("--max-train", type=int, default=None, help="fit on a seeded sample of N train questions")
    args = parser.parse_args(argv)
    reader, embedder = Reader.load(args.reader), get_embedder(args.encoder)
    train, dev = sample(load(args.data, ("train",)), args.max_train), load(args.data, ("dev",))
    print(f"Reading {CANDIDATES} candidates for {len(train)} train and {len(dev)} dev questions", flush=True)
    x, xs, y = features_of(train, reader, embedder)
    model = fit(x, y)
    xd, xds, yd = features_of(dev, reader, embedder)
    pd = probabilities(model, xd)
    model["threshold"] = threshold(pd, yd, args.max_as_if)
    model["selection"] = {"same": args.same, "others": args.others}
    model["dev"] = measured(pd, yd, model["threshold"])
    baseline = probabilities(fit(xs, y), xds)
    model["dev_books"] = dev_report(pd, baseline, yd, [r.book for r in dev], args.max_as_if)
    model["trained_on"] = {"questions": int(len(y)), "encoder": args.encoder, "candidates": CANDIDATES}
    (args.reader / ANSWERABILITY_FILE).write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    print(f"Wrote {args.reader / ANSWERABILITY_FILE}: dev {model['dev']}\n{json.dumps(model['dev_books'], indent=1)}",
          flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
