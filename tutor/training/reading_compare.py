"""The reading candidates compared book by book on the learner-question dataset (issue 25).

    python -m tutor.training.reading_compare [--split dev] [--book B]... [--model NAME]... [--json FILE]

Each question is ranked over every sentence of its book section (its module: the "unit" a college would load, a
few hundred sentences, not only the passage its writer read). Figures per book:
- ``hit@1`` and ``MRR``: where the first answering sentence comes (answerable questions);
- ``AUC near`` / ``AUC far``: how well the best score over the section tells an answerable question from a near
  miss (on the topic, not answered) / from a far question.
Models (``--model``, repeatable): ``cosine`` (the bundled MiniLM's similarity: the naive baseline), ``features``
(today's sentence ranking, ``retrieval/ranking.py``: its logistic regression over similarity, shared words, answer
kind and definition cue, every sentence given passage rank 1), ``biencoder:DIR`` (a fine-tuned adapter's
similarity; ``biencoder`` alone: the shipped one), ``reader:DIR`` (a cross-encoder reading the question with each
of the ``TOP`` sentences the fine-tuned bi-encoder (or cosine, ``reader-cosine:DIR``) ranks first; the rest keep
that order) and ``reader`` (the shipped reader). The test books are read only with ``--split test``, once.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from .learner_rows import DATASET, Row, load, modules, with_neighbours

TOP = 20


class Embedded:
    """Unit vectors of texts from one encoder, each computed once."""

    def __init__(self, embedder):
        from ..ingest.embed import Vectors

        self.cache = Vectors(embedder.embed_documents, limit=10**7)

    def __call__(self, texts) -> np.ndarray:
        return np.stack(self.cache(list(texts)))


def encoder(spec: str):
    from ..ingest.embed import get_embedder
    from ..ingest.tuned import ADAPTERS, tuned_embeddings

    if spec in ("cosine", "features"):
        return get_embedder("onnx")
    folder = spec.partition(":")[2]
    return tuned_embeddings(Path(folder) if folder else ADAPTERS["learner"])


def similarity_scores(rows: list[Row], embed: Embedded) -> list[np.ndarray]:
    units = modules()
    embed(list(dict.fromkeys([r.query for r in rows] + [s for r in rows for s in units[r.module]])))
    return [embed(units[r.module]) @ embed([r.query])[0] for r in rows]


def feature_scores(rows: list[Row], cosines: list[np.ndarray]) -> list[np.ndarray]:
    from ..retrieval.ranking import load_ranker, sentence_features

    ranker, units = load_ranker(), modules()
    return [ranker.probabilities(sentence_features(r.query, r.query, list(units[r.module]), c, c, [1] * len(c)))
            for r, c in zip(rows, cosines)]


def reader_scores(rows: list[Row], first: list[np.ndarray], folder: Path | None) -> list[np.ndarray]:
    """The reader's probability for the ``TOP`` sentences ``first`` ranks best (lifted above the rest by 2)."""
    from ..retrieval.reader import FOLDER, Reader

    folder = folder or FOLDER
    reader, units = Reader.load(folder), modules()
    context = json.loads((folder / "reader.json").read_text()).get("context", False)
    out = []
    for r, base in zip(rows, first):
        sents = units[r.module]
        top = np.argsort(-base, kind="stable")[:TOP]
        texts = [with_neighbours(sents, int(i)) if context else sents[int(i)] for i in top]
        scores = base.astype(np.float64).copy()
        scores[top] = 2.0 + reader.scores(r.query, texts)
        out.append(scores)
    return out


def auc(pos: list[float], neg: list[float]) -> float | None:
    if not pos or not neg:
        return None
    p, n = np.asarray(pos)[:, None], np.asarray(neg)[None, :]
    return float(((p > n).sum() + 0.5 * (p == n).sum()) / (p.size * n.size))


def figures(rows: list[Row], scores: list[np.ndarray]) -> dict:
    ranks = []
    for r, s in zip(rows, scores):
        if r.answerable:
            order = np.argsort(-s, kind="stable")
            ranks.append(1 + min(int(np.where(order == a)[0][0]) for a in r.module_answers))
    best = {k: [float(s.max()) for r, s in zip(rows, scores) if (r.kind if k != "answerable" else
                                                                    ("answerable" if r.answerable else "")) == k]
            for k in ("answerable", "near_miss", "far")}
    return {"questions": len(ranks), "hit@1": round(float(np.mean([x == 1 for x in ranks])), 3),
            "mrr": round(float(np.mean([1 / x for x in ranks])), 3),
            "auc_near": _round(auc(best["answerable"], best["near_miss"])),
            "auc_far": _round(auc(best["answerable"], best["far"]))}


def _round(x):
    return None if x is None else round(x, 3)


def model_scores(spec: str, rows: list[Row], cache: dict) -> list[np.ndarray]:
    kind, _, folder = spec.partition(":")
    if kind in ("reader", "reader-cosine"):
        first = model_scores("cosine" if kind == "reader-cosine" else "biencoder", rows, cache)
        return reader_scores(rows, first, Path(folder) if folder else None)
    key = "cosine" if kind in ("cosine", "features") else spec
    if key not in cache:
        cache[key] = similarity_scores(rows, Embedded(encoder(key)))
    return feature_scores(rows, cache[key]) if kind == "features" else cache[key]


def compare(rows: list[Row], specs: list[str]) -> dict[str, dict[str, dict]]:
    """{model: {book: figures}} with an ``all`` row per model."""
    cache, out = {}, {}
    for spec in specs:
        scores = model_scores(spec, rows, cache)
        books = list(dict.fromkeys(r.book for r in rows))
        out[spec] = {b: figures([r for r in rows if r.book == b], [s for r, s in zip(rows, scores) if r.book == b])
                     for b in books} | {"all": figures(rows, scores)}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tutor.training.reading_compare", description=__doc__.split("\n")[0])
    parser.add_argument("--split", default="dev", choices=["train", "dev", "test"])
    parser.add_argument("--book", action="append", default=[], help="only these books (repeatable)")
    parser.add_argument("--model", action="append", default=[], help="cosine, features, biencoder[:DIR], reader[:DIR]")
    parser.add_argument("--data", type=Path, default=DATASET)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    rows = [r for r in load(args.data, (args.split,)) if not args.book or r.book in args.book]
    found = compare(rows, args.model or ["cosine", "features"])
    for spec, books in found.items():
        for book, f in books.items():
            print(f"{spec:40s} {book:32s} " + "  ".join(f"{k} {v}" for k, v in f.items()), flush=True)
    if args.json:
        args.json.write_text(json.dumps(found, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
