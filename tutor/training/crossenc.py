"""Fine-tune the reader (a cross-encoder over a question and a sentence with its neighbours) on learners' questions.

    python -m tutor.training.crossenc [--init learner|bundled] [--lr 3e-5] [--epochs 1] [--hold-out BOOK] [--out DIR]

Initialised from the learner bi-encoder (``--init learner``: its adapter merged into the bundled weights, issue 25's
candidate (c)) or from the bundled MiniLM. Pairs from the train books of ``datasets/learner-questions``: every
answering sentence of an answerable question (label 1); as label 0, the ``HARD`` sentences of the same passage the
initial encoder finds closest to the question and ``RANDOM`` more drawn by the row's seed, and for a near miss (on
the topic, not answered) its ``HARD`` closest sentences, for a far question one random sentence. The second text is
the sentence, ``[SEP]``, then its neighbours (``learner_rows.with_neighbours``). Binary cross-entropy, fixed seed;
exported to int8 ONNX as the shipped reader is (``reader.export``), with ``context: true`` in its metadata.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from ..artefacts import fingerprint
from ..retrieval.reader import FOLDER, Reader
from .learner_rows import DATASET, Row, load, seeded, with_neighbours

SEED, EPOCHS, LEARNING_RATE, BATCH, MAX_LENGTH = 13, 1, 3e-5, 16, 192
HARD, RANDOM = 3, 2


def encoder_for(init: str):
    """The embedder that picks the hard negatives, and the folder of weights the cross-encoder starts from."""
    from ..ingest.bundled import bundled_model_path
    from ..ingest.embed import get_embedder
    from ..ingest.tuned import ADAPTERS, materialise

    if init == "bundled":
        return get_embedder("onnx"), bundled_model_path()
    folder = ADAPTERS["learner"] if init == "learner" else Path(init)
    return get_embedder("onnx-learner") if init == "learner" else _tuned(folder), materialise(folder)


def _tuned(folder: Path):
    from ..ingest.tuned import tuned_embeddings

    return tuned_embeddings(folder)


def pairs(rows: list[Row], embedder) -> list[tuple[str, str, float]]:
    """(query, sentence with neighbours, label) for every row (see the module docstring)."""
    texts = list(dict.fromkeys([r.query for r in rows] + [s for r in rows for s in r.sentences]))
    vectors = dict(zip(texts, np.asarray(embedder.embed_documents(texts), dtype=np.float32)))
    out = []
    for r in rows:
        rng = seeded(r.id)
        others = [i for i in range(len(r.sentences)) if i not in r.answers]
        sims = np.array([vectors[r.sentences[i]] @ vectors[r.query] for i in others])
        hard = [others[i] for i in np.argsort(-sims, kind="stable")[:HARD]]
        if r.kind == "far":
            negatives = [rng.choice(others)]
        elif not r.answerable:
            negatives = hard
        else:
            rest = [i for i in others if i not in hard]
            negatives = hard + rng.sample(rest, min(RANDOM, len(rest)))
        out += [(r.query, with_neighbours(r.sentences, i), 1.0) for i in r.answers]
        out += [(r.query, with_neighbours(r.sentences, i), 0.0) for i in negatives]
    return out


def fine_tune(rows: list[tuple[str, str, float]], start: Path, lr: float, epochs: int, log=print):
    """A ``CrossEncoder`` from the weights in ``start`` (a fresh one-logit head), fine-tuned on the pairs."""
    import torch
    from sentence_transformers import CrossEncoder

    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    model = CrossEncoder(str(start), num_labels=1, max_length=MAX_LENGTH, device="cpu")
    net, tokenizer = model.model, model.tokenizer
    optimiser = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=0.01)
    steps = epochs * ((len(rows) + BATCH - 1) // BATCH)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda s: min(1.0, (s + 1) / (0.1 * steps)) * max(0.0, 1 - s / steps))
    loss_fn, rng, step, started = torch.nn.BCEWithLogitsLoss(), np.random.default_rng(SEED), 0, time.time()
    net.train()
    for epoch in range(epochs):
        order = rng.permutation(len(rows))
        for begin in range(0, len(rows), BATCH):
            batch = [rows[i] for i in order[begin:begin + BATCH]]
            enc = tokenizer([q for q, _, _ in batch], [s for _, s, _ in batch], padding=True, truncation="only_second",
                            max_length=MAX_LENGTH, return_tensors="pt")
            loss = loss_fn(net(**enc).logits.squeeze(-1), torch.tensor([y for _, _, y in batch]))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            optimiser.step(), schedule.step(), optimiser.zero_grad()
            step += 1
            if step % 100 == 0 or step == steps:
                log(f"  step {step}/{steps} (epoch {epoch + 1}) loss {loss.item():.3f}, {time.time() - started:.0f} s",
                    flush=True)
    net.eval()
    return model


def main(argv: list[str] | None = None) -> int:
    from .reader import export, torch_scores

    parser = argparse.ArgumentParser(prog="python -m tutor.training.crossenc", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=FOLDER, help="folder for the model (default: the shipped one)")
    parser.add_argument("--init", default="learner", help="learner, bundled, or an adapter folder (a fold's)")
    parser.add_argument("--lr", type=float, default=LEARNING_RATE)
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--hold-out", action="append", default=[], help="a train book to leave out too (repeatable)")
    parser.add_argument("--limit", type=int, default=0, help="the first N questions only (a quick check)")
    parser.add_argument("--data", type=Path, default=DATASET)
    args = parser.parse_args(argv)
    rows = [r for r in load(args.data, ("train",)) if r.book not in args.hold_out][: args.limit or None]
    embedder, start = encoder_for(args.init)
    data = pairs(rows, embedder)
    print(f"Fine-tuning on {len(data)} pairs from {len(rows)} questions (init {args.init}, lr {args.lr}, "
          f"{args.epochs} epochs)", flush=True)
    model = fine_tune(data, start, args.lr, args.epochs)
    meta = {"max_length": MAX_LENGTH, "context": True, "init": args.init, "lr": args.lr, "epochs": args.epochs,
            "seed": SEED, "questions": len(rows), "pairs": len(data), "held_out": args.hold_out,
            "data": fingerprint([f"{q}\t{s}\t{y}" for q, s, y in data])}
    export(model, args.out, meta)
    shipped = Reader.load(args.out)
    sample = [(q, s) for q, s, _ in data[:64]]
    drift = float(np.max(np.abs(shipped.pair_scores(sample) - torch_scores(model, sample))))
    print(f"Wrote {args.out}: int8 vs torch on 64 pairs, max difference {drift:.3f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
