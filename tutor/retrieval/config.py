"""The retrieval settings' own check: a reranker must be a model already on disk (nothing downloads at run time).
``Settings.validate`` calls it, as it calls the alerts' checks."""

from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError


def check_reranker(s) -> None:
    if s.reranker and not _model_on_disk(s.reranker):
        raise ConfigError(f"TUTOR_RERANKER is {s.reranker!r}: no such folder or file, and no such model in the Hugging "
                          "Face cache (nothing is downloaded at run time). Set TUTOR_RERANKER to a cross-encoder's folder, or "
                          "leave it empty to turn reranking off.")


def _model_on_disk(name: str) -> bool:
    """A path that exists, or a Hugging Face model name whose files are already cached."""
    if Path(name).expanduser().exists():
        return True
    try:
        from huggingface_hub import try_to_load_from_cache

        return isinstance(try_to_load_from_cache(name, "config.json"), str)
    except Exception:  # noqa: BLE001 - an invalid model name is simply not on disk
        return False
