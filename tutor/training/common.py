"""What every training command shares: the command line, and the live index it reads the course through."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Callable

from ..artefacts import fitted_to
from ..resources import Resources
from ..settings import Settings


def train_command(prog: str, doc: str, default: Path, train: Callable[[Resources], tuple[dict, str]],
                  argv: list[str] | None = None) -> int:
    """The ``python -m tutor.training.<name>`` command: ``train(resources)`` over the index TUTOR_INDEX_DIR names
    (built from the course corpus) gives the model and a summary line; the model is written as JSON, by default
    where the tutor reads it for the index encoder (TUTOR_EMBED_MODEL: ``artefacts.fitted_to``)."""
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(prog=prog, description=doc.split("\n")[0])
    parser.add_argument("--out", type=Path, default=fitted_to(default, settings.embed_model),
                        help="where to write the model (JSON; default: the one for TUTOR_EMBED_MODEL)")
    args = parser.parse_args(argv)
    model, summary = train(Resources(settings))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    print(f"{summary}; wrote {args.out}")
    return 0


