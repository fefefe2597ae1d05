"""The readers compared book by book on the reading dataset: ``python -m tutor.training.reader_eval``.

Each question is read against three sets of sentences, each cut to the ``CANDIDATES`` closest by embedding (as
retrieval would hand them over): its own section (which holds the answer), the first other section of its book
(same vocabulary, no answer) and a section of another book (far). Figures per held-out book:
- hit@1 and MRR: the own section's best-scored sentence is one that holds the keyed answer;
- AUC near / far: the best score over the own section against the best over the same-book / far section, i.e.
  how well the best score tells "some sentence here answers" from "none does".
Candidates: ``cosine`` (the naive baseline: the embedding similarity alone), ``features`` (today's ranking
features: similarity, shared words, answer kind, definition cue, in a logistic regression), ``pair head`` (a
logistic regression over frozen MiniLM pair features q*s, |q-s|, cos) and ``cross-encoder`` (``reader``).
Folds hold out each book with at least ``MIN_FOLD`` questions; the test book is measured only by ``--test``.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..text import terms
from ..text.kinds import asked_kinds, gives
from .reader_data import DATASET, Grounded, load, pairs

CANDIDATES, MIN_FOLD = 30, 30


@dataclass
class Item:
    g: Grounded
    own: list[str]
    labels: np.ndarray
    near: list[str]
    far: list[str]


class Vectors:
    """Unit vectors of texts from the default embedder, each computed once (``ingest.embed.Vectors``), as a
    matrix."""

    def __init__(self):
        from ..ingest.embed import Vectors as Cache, get_embedder

        self.cache = Cache(get_embedder("onnx").embed_documents, limit=10**7)

    def add(self, texts) -> None:
        self.cache(list(texts))

    def __call__(self, texts) -> np.ndarray:
        return np.stack(self.cache(list(texts))) if texts else np.zeros((0, 384), dtype=np.float32)


def _closest(vectors: Vectors, question: str, sentences, k: int = CANDIDATES) -> list[str]:
    sentences = [s for s in dict.fromkeys(sentences) if len(s.split()) >= 4]
    if not sentences:
        return []
    sims = vectors(sentences) @ vectors([question])[0]
    return [sentences[i] for i in np.argsort(-sims, kind="stable")[:k]]


def items(questions: list[Grounded], vectors: Vectors) -> list[Item]:
    vectors.add([g.question for g in questions] + [s for g in questions for s in g.section]
                + [s for g in questions for sec in (g.hard[:1] + g.far[:1]) for s in sec]
                + [s for g in questions for _, s, _ in pairs(g)])
    out = []
    for g in questions:
        answers = {g.section[i] for i in g.positives}
        own = _closest(vectors, g.question, g.section)
        near = _closest(vectors, g.question, g.hard[0]) if g.hard else []
        far = _closest(vectors, g.question, g.far[0]) if g.far else []
        out.append(Item(g, own, np.asarray([s in answers for s in own], dtype=float), near, far))
    return out


def feature_rows(vectors: Vectors, question: str, sentences: list[str], kind: str) -> np.ndarray:
    """Per sentence: the ``features`` candidate's or the ``pair head``'s inputs."""
    if not sentences:
        return np.zeros((0, 4 if kind == "features" else 769))
    q, s = vectors([question])[0], vectors(sentences)
    cos = s @ q
    if kind == "pair head":
        return np.hstack([s * q, np.abs(s - q), cos[:, None]])
    qt, kinds = set(terms(question)), asked_kinds(question)
    share = [len(qt & set(terms(x))) / len(qt) if qt else 0.0 for x in sentences]
    kind_ok = [0.0 if not kinds else (1.0 if any(gives(k, x, question) for k in kinds) else -1.0) for x in sentences]
    return np.column_stack([cos, share, kind_ok, [len(x.split()) / 40 for x in sentences]])


def linear_scorer(train: list[Grounded], vectors: Vectors, kind: str):
    """A logistic regression over ``kind``'s inputs, fitted on the training questions' pairs."""
    from sklearn.linear_model import LogisticRegression

    x, y = [], []
    for g in train:
        rows = pairs(g)
        x.append(feature_rows(vectors, g.question, [s for _, s, _ in rows], kind))
        y += [label for _, _, label in rows]
    model = LogisticRegression(C=1.0, max_iter=3000).fit(np.vstack(x), np.asarray(y))
    return lambda question, sentences: model.predict_proba(feature_rows(vectors, question, sentences, kind))[:, 1]


def figures(held: list[Item], score) -> dict[str, float]:
    """hit@1, MRR and the two AUCs of a scorer ``score(question, sentences) -> probabilities``."""
    from sklearn.metrics import roc_auc_score

    hits, rr, best_own, best_near, best_far = [], [], [], [], []
    for it in held:
        own = np.asarray(score(it.g.question, it.own)) if it.own else np.zeros(0)
        order = np.argsort(-own, kind="stable")
        ranks = [r for r, i in enumerate(order) if it.labels[i]]
        hits.append(float(bool(ranks) and ranks[0] == 0))
        rr.append(1.0 / (ranks[0] + 1) if ranks else 0.0)
        best_own.append(own.max() if len(own) else 0.0)
        best_near.append(max(score(it.g.question, it.near), default=0.0) if it.near else 0.0)
        best_far.append(max(score(it.g.question, it.far), default=0.0) if it.far else 0.0)
    auc = lambda neg: float(roc_auc_score([1] * len(best_own) + [0] * len(neg), best_own + neg))
    return {"questions": len(held), "hit@1": float(np.mean(hits)), "mrr": float(np.mean(rr)),
            "auc_near": auc(best_near), "auc_far": auc(best_far)}


def scorers(train: list[Grounded], vectors: Vectors, epochs: int, reader=None) -> dict:
    from .reader import fine_tune, torch_scores

    out = {"cosine": lambda q, ss: vectors(ss) @ vectors([q])[0] if ss else np.zeros(0),
           "features": linear_scorer(train, vectors, "features"),
           "pair head": linear_scorer(train, vectors, "pair head")}
    if reader is not None:
        out["cross-encoder"] = reader.scores
    elif epochs:
        model = fine_tune([p for g in train for p in pairs(g)], epochs)
        out["cross-encoder"] = lambda q, ss: torch_scores(model, [(q, s) for s in ss]) if ss else np.zeros(0)
    return out


def compare(questions: list[Grounded], epochs: int, out: Path | None = None, test: bool = False) -> dict:
    """Leave-one-book-out figures per candidate (or, with ``test``, the test book against the shipped reader)."""
    vectors, table = Vectors(), {}
    pool = [g for g in questions if g.split != "test"]
    if test:
        from ..retrieval.reader import Reader

        folds = [("test: " + questions[-1].book, pool, [g for g in questions if g.split == "test"], Reader.load())]
    else:
        books = sorted({g.book for g in pool})
        folds = [(b, [g for g in pool if g.book != b], [g for g in pool if g.book == b], None) for b in books
                 if sum(g.book == b for g in pool) >= MIN_FOLD]
    for name, train, held, reader in folds:
        print(f"{name}: {len(held)} questions held out, {len(train)} trained on")
        held_items = items(held, vectors)
        vectors.add([s for g in train for _, s, _ in pairs(g)] + [g.question for g in train])
        for model, score in scorers(train, vectors, epochs, reader).items():
            table.setdefault(name, {})[model] = row = {k: round(v, 3) for k, v in figures(held_items, score).items()}
            print(f"  {model:14s} " + "  ".join(f"{k} {v}" for k, v in row.items()))
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / ("comparison-test.json" if test else "comparison.json")).write_text(json.dumps(table, indent=1) + "\n")
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tutor.training.reader_eval", description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=1, help="cross-encoder epochs per fold (0: leave it out)")
    parser.add_argument("--test", action="store_true", help="measure the test book once, with the shipped reader")
    parser.add_argument("--out", type=Path, default=None, help="folder to write the table to (JSON)")
    parser.add_argument("--corpus", type=Path, default=Path("corpus"), help="course units to keep out")
    args = parser.parse_args(argv)
    compare(load(DATASET, args.corpus), args.epochs, args.out, args.test)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
