"""Eval cases: JSON lines, one case each (``id``, ``kind``, ``question``, ``history``, ``gold_quotes``,
``key_facts``, ``notes``)."""

from __future__ import annotations

import json
from pathlib import Path

KINDS = ("answerable", "out_of_scope", "adversarial", "disclosure")
SCHEMA = ("id", "kind", "question", "history", "gold_quotes", "key_facts", "notes")


def load_cases(path: Path) -> list[dict]:
    cases = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                case = json.loads(line)
                if case.get("kind") not in KINDS:
                    raise ValueError(f"{path}:{n}: kind must be one of {KINDS}, got {case.get('kind')!r}")
                cases.append(case)
    return cases


