"""Train the reader: a cross-encoder fine-tuned from the bundled MiniLM on the reading dataset, exported to ONNX.

    python -m tutor.training.reader [--out DIR] [--epochs N] [--limit N]

(``make models`` runs it, then the ranking, scope and span-threshold commands that build on it.)

The reader scores (question, sentence) pairs: the probability that the sentence answers the question. It is
fine-tuned (sentence-transformers ``CrossEncoder``, binary cross-entropy, fixed seed, one thread order) on the
pairs of ``reader_data`` from every book of the dataset but its test book, exported with ``torch.onnx.export``
and quantised to int8 (``onnxruntime.quantization``), then the span head is fitted over it (``spans``). The
candidate models are compared book by book by ``python -m tutor.training.reader_eval``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from ..artefacts import fingerprint
from ..retrieval.reader import FOLDER, META_FILE, MODEL_FILE, REBUILD, SPAN_FILE, Reader
from .reader_data import DATASET, Grounded, load, pairs

SEED, EPOCHS, BATCH, LEARNING_RATE, MAX_LENGTH = 13, 2, 16, 5e-5, 128


def fine_tune(rows: list[tuple[str, str, float]], epochs: int = EPOCHS, seed: int = SEED, log=print):
    """A ``CrossEncoder`` from the bundled MiniLM, fine-tuned on (question, sentence, label) rows."""
    import torch
    from sentence_transformers import CrossEncoder

    from ..ingest.bundled import bundled_model_path

    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    model = CrossEncoder(str(bundled_model_path()), num_labels=1, max_length=MAX_LENGTH, device="cpu")
    net, tokenizer = model.model, model.tokenizer
    optimiser = torch.optim.AdamW(net.parameters(), lr=LEARNING_RATE, weight_decay=0.01)
    steps = epochs * ((len(rows) + BATCH - 1) // BATCH)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda s: min(1.0, (s + 1) / (0.1 * steps)) * max(0.0, 1 - s / steps))
    loss_fn, rng, step, started = torch.nn.BCEWithLogitsLoss(), np.random.default_rng(seed), 0, time.time()
    net.train()
    for epoch in range(epochs):
        order = rng.permutation(len(rows))
        for start in range(0, len(rows), BATCH):
            batch = [rows[i] for i in order[start:start + BATCH]]
            enc = tokenizer([q for q, _, _ in batch], [s for _, s, _ in batch], padding=True, truncation=True,
                            max_length=MAX_LENGTH, return_tensors="pt")
            loss = loss_fn(net(**enc).logits.squeeze(-1), torch.tensor([y for _, _, y in batch]))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            optimiser.step(), schedule.step(), optimiser.zero_grad()
            step += 1
            if step % 50 == 0 or step == steps:
                log(f"  step {step}/{steps} (epoch {epoch + 1}) loss {loss.item():.3f}, {time.time() - started:.0f} s")
    net.eval()
    return model


def torch_scores(model, rows: list[tuple[str, str]]) -> np.ndarray:
    """Probabilities from the fine-tuned torch model (before export)."""
    import torch

    with torch.no_grad():
        logits = model.predict(rows, batch_size=64, activation_fn=torch.nn.Identity(), convert_to_numpy=True)
    return 1.0 / (1.0 + np.exp(-np.asarray(logits, dtype=np.float64).reshape(-1)))


def export(model, folder: Path, meta: dict) -> None:
    """The fine-tuned network as int8 ONNX (``MODEL_FILE``) with its metadata (``META_FILE``). The graph has two
    outputs: the answer logit of each pair and the last hidden states of its tokens (for the span head)."""
    import tempfile

    import torch

    from ..ingest.onnx_embed import _quantise

    folder.mkdir(parents=True, exist_ok=True)
    net = model.model.eval()

    class Both(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.net = net

        def forward(self, input_ids, attention_mask, token_type_ids):
            out = self.net(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids,
                           output_hidden_states=True)
            return out.logits, out.hidden_states[-1]

    ids, mask = torch.ones((2, 8), dtype=torch.int64), torch.ones((2, 8), dtype=torch.int64)
    mask[1, 5:] = 0
    names = ("input_ids", "attention_mask", "token_type_ids")
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "reader-fp32.onnx"
        with torch.no_grad():
            torch.onnx.export(Both().eval(), (ids, mask, torch.zeros_like(ids)), str(fp32), dynamo=False,
                              opset_version=17, input_names=list(names), output_names=["logits", "hidden"],
                              dynamic_axes={n: {0: "batch", 1: "tokens"} for n in (*names, "hidden")})
        _quantise(fp32, folder / MODEL_FILE)
    (folder / META_FILE).write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")


def training_rows(questions: list[Grounded]) -> list[tuple[str, str, float]]:
    return [p for g in questions for p in pairs(g)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=REBUILD, description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=FOLDER, help="folder for the model (default: the shipped one)")
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--limit", type=int, default=0, help="train on the first N questions only (a quick check)")
    parser.add_argument("--corpus", type=Path, default=Path("corpus"), help="course units to keep out of training")
    args = parser.parse_args(argv)
    questions = load(DATASET, args.corpus)
    train = [g for g in questions if g.split != "test"][: args.limit or None]
    rows = training_rows(train)
    print(f"Fine-tuning on {len(rows)} pairs from {len(train)} questions ({len({g.book for g in train})} books)")
    model = fine_tune(rows, args.epochs)
    meta = {"max_length": MAX_LENGTH, "epochs": args.epochs, "seed": SEED, "questions": len(train), "pairs": len(rows),
            "data": fingerprint([f"{q}\t{s}\t{y}" for q, s, y in rows])}
    export(model, args.out, meta)
    shipped = Reader.load(args.out)
    sample = [(q, s) for q, s, _ in rows[:64]]
    drift = float(np.max(np.abs(shipped.pair_scores(sample) - torch_scores(model, sample))))
    print(f"Wrote {args.out / MODEL_FILE} ({(args.out / MODEL_FILE).stat().st_size / 1e6:.1f} MB); "
          f"int8 vs torch on 64 pairs: max difference {drift:.3f}")
    from .spans import examples as span_examples, fit as fit_span

    spans = span_examples(shipped, train)
    (args.out / SPAN_FILE).write_text(json.dumps(fit_span(spans)) + "\n", encoding="utf-8")
    print(f"Span head fitted on {len(spans)} verbatim answers; set its threshold after retraining the ranking and "
          "scope: python -m tutor.training.spans --choose")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
