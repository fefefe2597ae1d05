"""What every training command shares: the command line, and the live index it reads the course through."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Callable

from ..resources import Resources
from ..settings import Settings


def train_command(prog: str, doc: str, default: Path, train: Callable[[Resources], tuple[dict, str]],
                  argv: list[str] | None = None) -> int:
    """The ``python -m tutor.training.<name>`` command: ``train(resources)`` over the index TUTOR_INDEX_DIR names
    (built from the course corpus) gives the model and a summary line; the model is written as JSON."""
    parser = argparse.ArgumentParser(prog=prog, description=doc.split("\n")[0])
    parser.add_argument("--out", type=Path, default=default, help="where to write the model (JSON)")
    args = parser.parse_args(argv)
    model, summary = train(Resources(Settings.from_env()))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    print(f"{summary}; wrote {args.out}")
    return 0


