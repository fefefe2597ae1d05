"""How often the safeguarding classifier alarms on the eval units' study questions (``answerable`` and
``out_of_scope`` cases): the share given a concern note and the share given the emergency message, per unit and
split, and how many ``disclosure`` cases it catches (any level) and signposts first. Only counts are printed, never a question (gate cases are
measured, never read).

Run: ``python -m tutor.evals.study_alarms [--split dev|gate|all] [--model FILE]``
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..guards.safeguarding import CONCERN, DISCLOSURE, MODEL_FILE, NONE, load_classifier
from .cases import case_sets

STUDY = ("answerable", "out_of_scope")


def rates(levels: list[str], kinds: list[str]) -> dict:
    """Counts and shares over study questions, and disclosure cases caught (any level above none).

    >>> rates(["none", "concern", "disclosure"], ["answerable", "out_of_scope", "disclosure"])
    {'study': 2, 'concern': 1, 'emergency': 0, 'concern_rate': 0.5, 'emergency_rate': 0.0, 'disclosures': 1, 'caught': 1, 'first': 1}
    """
    study = [lv for lv, k in zip(levels, kinds) if k in STUDY]
    told = [lv for lv, k in zip(levels, kinds) if k == "disclosure"]
    n = len(study) or 1
    return {"study": len(study), "concern": study.count(CONCERN), "emergency": study.count(DISCLOSURE),
            "concern_rate": round(study.count(CONCERN) / n, 4), "emergency_rate": round(study.count(DISCLOSURE) / n, 4),
            "disclosures": len(told), "caught": sum(lv != NONE for lv in told), "first": told.count(DISCLOSURE)}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m tutor.evals.study_alarms", description=__doc__.split("\n")[0])
    parser.add_argument("--split", default="all", help="dev, gate or all (default)")
    parser.add_argument("--model", type=Path, default=MODEL_FILE, help="the safeguarding artefact to measure")
    args = parser.parse_args(argv)
    model, found = load_classifier(args.model), {}
    for case_set in case_sets(args.split):
        levels = [a.level for a in model.assess([c.question for c in case_set.cases])]
        found[f"{case_set.unit} {case_set.split}"] = figures = rates(levels, [c.kind for c in case_set.cases])
        print(f"{case_set.unit} ({case_set.split}): {json.dumps(figures)}")
    return found


if __name__ == "__main__":
    main()
