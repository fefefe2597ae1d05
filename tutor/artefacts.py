"""Trained model artefacts (small JSON files beside the stage that uses them), loaded once per process.

Each is rebuilt deterministically by its own command (``python -m tutor.<stage>.train_<name>``); a missing or
damaged file is an error that names that command.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import threading
from pathlib import Path
from typing import Any, Callable, TypeVar

from .errors import ConfigError

T = TypeVar("T")
_lock = threading.Lock()
_loaded: dict[Path, object] = {}


def load_json_model(path: Path, kind: Callable[[dict], T], what: str, rebuild: str) -> T:
    """``kind(data)`` of the JSON at ``path``, cached; errors say which command rebuilds it."""
    path = Path(path)
    with _lock:
        if path not in _loaded:
            try:
                _loaded[path] = kind(json.loads(path.read_text(encoding="utf-8")))
            except FileNotFoundError:
                raise ConfigError(f"The {what} is missing ({path}). Run: {rebuild}") from None
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                raise ConfigError(f"The {what} at {path} is damaged ({exc}). Run: {rebuild}") from None
        return _loaded[path]


def forget(path: Path) -> None:
    """Drop a cached artefact (after a rebuild in the same process)."""
    with _lock:
        _loaded.pop(Path(path), None)


def fingerprint(data: Any) -> str:
    """A hash of what a model was trained on (the ids of its examples), so a rebuild can be compared."""
    return hashlib.sha256(json.dumps(data).encode()).hexdigest()


def train_command(prog: str, doc: str, default: Path, train: Callable[[Any], tuple[dict, str]],
                  argv: list[str] | None = None) -> int:
    """The ``python -m tutor.<stage>.train_<name>`` command: ``train(tutor)`` on the index TUTOR_INDEX_DIR names
    (built from the course corpus) gives the model and a summary line; the model is written as JSON."""
    from .pipeline import Tutor
    from .settings import Settings

    parser = argparse.ArgumentParser(prog=prog, description=doc.split("\n")[0])
    parser.add_argument("--out", type=Path, default=default, help="where to write the model (JSON)")
    args = parser.parse_args(argv)
    model, summary = train(Tutor(Settings.from_env()))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    print(f"{summary}; wrote {args.out}")
    return 0
