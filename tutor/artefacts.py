"""Trained model artefacts: small JSON files beside the stage that uses them. ``Resources`` loads each once; the
trainers under ``tutor/training/`` rebuild them deterministically, and a missing or damaged file is an error
that names the command that rebuilds it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Callable, TypeVar

from .errors import ConfigError

T = TypeVar("T")


def load_json_model(path: Path, kind: Callable[[dict], T], what: str, rebuild: str) -> T:
    """``kind(data)`` of the JSON at ``path``; errors say which command rebuilds it."""
    path = Path(path)
    try:
        return kind(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise ConfigError(f"The {what} is missing ({path}). Run: {rebuild}") from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(f"The {what} at {path} is damaged ({exc}). Run: {rebuild}") from None


SAME_VECTORS = ("onnx", "bundled")  # TUTOR_EMBED_MODEL values whose similarities the default models were fitted on


def fitted_to(path: Path, embed_model: str) -> Path:
    """The file of a model fitted to the index encoder ``embed_model``: ``name.<encoder>.json`` beside ``path``
    (a model that reads similarities is fitted to one encoder's), or ``path`` itself for the encoders the
    default was fitted on.

    >>> fitted_to(Path("m/scope.json"), "onnx-learner").as_posix(), fitted_to(Path("m/scope.json"), "onnx").as_posix()
    ('m/scope.onnx-learner.json', 'm/scope.json')
    """
    path = Path(path)
    if embed_model in SAME_VECTORS:
        return path
    return path.with_name(f"{path.stem}.{embed_model.replace(':', '-')}{path.suffix}")


def fitted_or_default(path: Path, embed_model: str) -> Path:
    """The model fitted to ``embed_model`` where one was trained, else the default at ``path``."""
    own = fitted_to(path, embed_model)
    return own if own.is_file() else Path(path)


def fingerprint(data: Any) -> str:
    """A hash of what a model was trained on (the ids of its examples), so a rebuild can be compared."""
    return hashlib.sha256(json.dumps(data).encode()).hexdigest()


def dump(value, indent: str = "  ") -> str:
    """JSON with a line per key and per coefficient row (lists of numbers stay on one line): readable diffs."""
    if isinstance(value, dict) and value:
        items, ends = [f"{json.dumps(k)}: {dump(v, indent + '  ')}" for k, v in value.items()], "{}"
    elif isinstance(value, list) and value and isinstance(value[0], (dict, list)):
        items, ends = [dump(v, indent + "  ") for v in value], "[]"
    else:
        return json.dumps(value)
    return ends[0] + "\n" + ",\n".join(indent + item for item in items) + "\n" + indent[2:] + ends[1]
