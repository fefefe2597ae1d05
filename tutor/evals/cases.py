"""Eval cases: JSON lines, one case each, in ``evals/units/<unit>/dev.jsonl`` (development: tune on these) and
``evals/units/<unit>/gate.jsonl`` (gate: measured only). The rule and the split are in ``evals/README.md``.

A case: ``id``, ``kind`` (answerable, out_of_scope, adversarial, disclosure), ``question``, ``history`` (earlier
questions), ``gold_quotes`` (exact raw passages that answer it), ``key_facts`` (lower case, ``|`` between
alternatives), ``notes``, and optionally ``tags`` (factoid, definition, near_miss, alarming, follow_up, ...).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..errors import TutorError
from ..settings import PROJECT_ROOT

KINDS = ("answerable", "out_of_scope", "adversarial", "disclosure")
SCHEMA = ("id", "kind", "question", "history", "gold_quotes", "key_facts", "notes")
OPTIONAL = ("tags",)
SPLITS = ("dev", "gate")
UNITS_DIR = PROJECT_ROOT / "evals" / "units"


@dataclass(frozen=True)
class CaseSet:
    unit: str  # the unit's slug (its folder under evals/units and corpus/)
    split: str  # dev | gate
    path: Path
    cases: tuple[dict, ...]


def load_cases(path: Path) -> list[dict]:
    cases = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                case = json.loads(line)
                if case.get("kind") not in KINDS:
                    raise ValueError(f"{path}:{n}: kind must be one of {KINDS}, got {case.get('kind')!r}")
                case.setdefault("tags", [])
                cases.append(case)
    return cases


def case_sets(split: str = "gate", unit: str | None = None, root: Path = UNITS_DIR) -> list[CaseSet]:
    """The case files of one split ("dev", "gate" or "all"), for every unit or one."""
    splits = SPLITS if split == "all" else (split,)
    if split != "all" and split not in SPLITS:
        raise TutorError(f"Unknown split {split!r}. Use dev, gate or all.")
    found = [CaseSet(folder.name, s, folder / f"{s}.jsonl", tuple(load_cases(folder / f"{s}.jsonl")))
             for folder in sorted(p for p in root.iterdir() if p.is_dir()) for s in splits
             if (folder / f"{s}.jsonl").is_file() and (unit is None or folder.name == unit)]
    if not found:
        known = sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
        raise TutorError(f"No {split} cases for {unit or 'any unit'} under {root}. Units with cases: "
                         f"{', '.join(known) or 'none'}.")
    return found
