"""Eval cases: JSON lines, one case each, in ``evals/units/<unit>/dev.jsonl`` (development: tune on these) and
``evals/units/<unit>/gate.jsonl`` (gate: measured only). The rule and the split are in ``evals/README.md``.

A case: ``id``, ``kind`` (answerable, out_of_scope, adversarial, disclosure), ``question``, ``history`` (earlier
questions), ``gold_quotes`` (exact raw passages that answer it), ``key_facts`` (lower case, ``|`` between
alternatives), ``notes``, and optionally ``tags`` (factoid, definition, near_miss, alarming, follow_up, ...).
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import TutorError
from ..settings import PROJECT_ROOT

KINDS = ("answerable", "out_of_scope", "adversarial", "disclosure")
SCHEMA = ("id", "kind", "question", "history", "gold_quotes", "key_facts", "notes")
OPTIONAL = ("tags",)
SPLITS = ("dev", "gate")
UNITS_DIR = PROJECT_ROOT / "evals" / "units"


@dataclass(frozen=True)
class Case:
    """One eval case, as a line of a cases file holds it."""

    id: str
    kind: str  # answerable | out_of_scope | adversarial | disclosure
    question: str
    history: tuple[str, ...] = ()  # earlier questions of the conversation, oldest first
    gold_quotes: tuple[str, ...] = ()  # exact raw passages that answer it
    key_facts: tuple[str, ...] = ()  # lower case; "|" separates alternatives
    notes: str = ""
    tags: tuple[str, ...] = ()  # factoid, definition, near_miss, far, ...

    @classmethod
    def from_json(cls, data: dict, where: str = "") -> "Case":
        """A case from its JSON object; a missing field or an unknown kind is an error naming the line."""
        if data.get("kind") not in KINDS:
            raise ValueError(f"{where}: kind must be one of {KINDS}, got {data.get('kind')!r}")
        missing = [k for k in SCHEMA if k not in data]
        if missing:
            raise ValueError(f"{where}: missing {', '.join(missing)}")
        return cls(str(data["id"]), data["kind"], data["question"], tuple(data["history"]),
                   tuple(data["gold_quotes"]), tuple(data["key_facts"]), data["notes"], tuple(data.get("tags", ())))

    def to_json(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


@dataclass(frozen=True)
class CaseSet:
    unit: str  # the unit's slug (its folder under evals/units and corpus/)
    split: str  # dev | gate
    path: Path
    cases: tuple[Case, ...]


def load_cases(path: Path) -> list[Case]:
    with open(path, encoding="utf-8") as fh:
        return [Case.from_json(json.loads(line), f"{path}:{n}") for n, line in enumerate(fh, 1) if line.strip()]


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


def ngrams(text: str, n: int = 8) -> set[str]:
    """The runs of ``n`` words of a text (lower case): eight in a row is how a copied case is recognised."""
    words = re.findall(r"[a-z0-9']+", text.lower())
    return {" ".join(words[i:i + n]) for i in range(len(words) - n + 1)}


def eval_phrases(root: Path = UNITS_DIR) -> set[str]:
    """The eight-word runs of every evaluation case's question (development and gate): training data that shares
    one is dropped, so no model is trained on a case it is measured on. Read as a whole, never case by case."""
    found: set[str] = set()
    for path in sorted(Path(root).glob("*/*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                found |= ngrams(json.loads(line).get("question", ""))
    return found
