"""The safeguarding classifier's encoder: the bundled MiniLM fine-tuned contrastively on the labelled messages, so
that "a child in my care has bruises" and "a child in this case study has bruises" no longer embed as neighbours.

    python -m tutor.guards.contrastive [--lr 2e-4] [--epochs 1] [--loss triplet|labels] [--earlier 1] [--out DIR]

(Then ``python -m tutor.guards.train_safeguarding`` fits the classifier over it.) The train split
(``safeguarding_data.all_splits``), each message labelled disclosure, concern or none, in batches that keep the
sides of a minimal pair together (the same situation real and as a case, a story or an adult's own life), so the
batch-hard triplet loss pulls labels apart exactly where the words are the same. Only a LoRA adapter is trained
(``tutor.training.lora``); it ships in ``models/safeguarding-encoder`` and is merged and exported to ONNX on first
use (``tutor.ingest.tuned``). ``--loss labels`` trains it instead by cross-entropy through a linear head over the
normalised embedding (``LabelLoss``), on the study questions' parts too (the classifier reads every part): the
head is dropped, the classifier refits its own regression over the tuned vectors.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from ..artefacts import fingerprint
from ..ingest.tuned import ADAPTERS
from .safeguarding_data import CONTRAST_DIR, DATA_DIR, all_splits, load_splits

EPOCHS, LEARNING_RATE, BATCH = 1, 2e-4, 32
LABELS = ("none", "concern", "disclosure")
LABEL_WEIGHTS = (1.0, 1.5, 2.0)  # --loss labels: a missed disclosure costs more than a false note (chosen, not tuned)
SCALE = 20.0  # the head reads the unit-length embedding times this (a cosine classifier's temperature)


def label_loss(model):
    """Cross-entropy of a linear head over ``SCALE`` times the normalised sentence embedding, weighted by class."""
    import torch

    class LabelLoss(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model
            self.head = torch.nn.Linear(model.get_sentence_embedding_dimension(), len(LABELS))
            self.weight = torch.tensor(LABEL_WEIGHTS)

        def forward(self, features, labels):
            vectors = torch.nn.functional.normalize(self.model(features[0])["sentence_embedding"], dim=-1)
            return torch.nn.functional.cross_entropy(self.head(SCALE * vectors), labels, weight=self.weight)

    return LabelLoss()


def pair_groups(rows: list[dict]) -> list[list[int]]:
    """Row indices grouped by minimal pair (a message without a pair is a group of its own).

    >>> pair_groups([{"id": "a", "pair": "p"}, {"id": "b"}, {"id": "c", "pair": "p"}])
    [[0, 2], [1]]
    """
    groups: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        groups.setdefault(r.get("pair") or r["id"], []).append(i)
    return list(groups.values())


def train(rows: list[dict], lr: float = LEARNING_RATE, epochs: int = EPOCHS, loss: str = "triplet"):
    """The LoRA-tuned encoder: each message once per epoch, labelled by its label, in batches that keep minimal pairs
    together; ``BatchHardSoftMarginTripletLoss`` pulls each message towards the farthest of its label in the batch and
    away from the closest of another label, which for a minimal pair is usually its twin (``loss="labels"``:
    ``label_loss`` instead)."""
    from sentence_transformers import losses

    from ..training.lora import fit, lora_model

    model = lora_model()
    columns = {"text": [r["text"] for r in rows], "label": [LABELS.index(r["label"]) for r in rows]}
    objective = label_loss(model) if loss == "labels" else losses.BatchHardSoftMarginTripletLoss(model)
    return fit(model, columns, objective, lr, epochs, BATCH, groups=pair_groups(rows))


def build(out: Path, data_dir: Path = DATA_DIR, contrast: Path = CONTRAST_DIR, lr: float = LEARNING_RATE,
          epochs: int = EPOCHS, loss: str = "triplet", earlier: int = 1) -> dict:
    """Train and save the adapter; ``earlier``: how many times the earlier messages (``evals/safeguarding``, one
    writer) are seen per epoch, against once for the contrast writers' (their style is a quarter of train)."""
    from ..training.lora import LORA, SEED, save_adapter
    from .train_safeguarding import part_examples

    rows = all_splits(data_dir, contrast)["train"]
    rows += part_examples(rows) if loss == "labels" else []
    rows += [r for r in load_splits(data_dir)["train"] for _ in range(earlier - 1)]
    started = time.time()
    model = train(rows, lr, epochs, loss)
    meta = {"base": "all-MiniLM-L6-v2 (bundled)", "loss": f"cross-entropy, class weights {LABEL_WEIGHTS}, scale {SCALE}"
            if loss == "labels" else "BatchHardSoftMarginTripletLoss, minimal pairs in one batch",
            "lora": LORA, "lr": lr, "epochs": epochs, "seed": SEED, "batch": BATCH, "messages": len(rows),
            **({"earlier_messages_seen": earlier} if earlier != 1 else {}),
            "data": fingerprint([[r["id"], r["label"]] for r in rows]), "minutes": round((time.time() - started) / 60, 1)}
    save_adapter(model, out, meta)
    return meta


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tutor.guards.contrastive", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, help="default: the shipped adapter of that loss (tutor.ingest.tuned.ADAPTERS)")
    parser.add_argument("--lr", type=float, default=LEARNING_RATE)
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--earlier", type=int, default=1, help="times the earlier messages are seen per epoch")
    parser.add_argument("--loss", choices=("triplet", "labels"), default="triplet",
                        help="triplet: the shipped encoder's; labels: cross-entropy through a linear head")
    args = parser.parse_args(argv)
    args.out = args.out or ADAPTERS["safeguarding-labels" if args.loss == "labels" else "safeguarding"]
    meta = build(args.out, lr=args.lr, epochs=args.epochs, loss=args.loss, earlier=args.earlier)
    print(f"Wrote {args.out}: {meta['messages']} messages in {meta['minutes']} min")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
