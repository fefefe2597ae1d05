"""``tutor eval``: run each unit's cases through the tutor (retrieval limited to that unit), score them, report
per unit and overall, and apply the gate (``evals/thresholds.toml``: floors per unit and overall).

Gate cases are measured, never read case by case: for a gate split only summary figures are written; answers and
failed cases are written for development splits only (``evals/README.md``).
"""

from __future__ import annotations

import sys
import time
import tomllib
from pathlib import Path

from ..errors import TutorError
from ..settings import Settings
from .cases import CaseSet, case_sets, load_cases
from .execute import UnitRun, evaluate
from .metrics import gate, summarise


def thresholds_for(path: Path | None) -> dict:
    if not path or not Path(path).exists():
        return {}
    return tomllib.loads(Path(path).read_text(encoding="utf-8"))


def apply_gate(runs: list[UnitRun], overall: dict, thresholds: dict) -> list[str]:
    missed = []
    for run in runs:
        floors = thresholds.get("units", {}).get(run.cases.unit, {})
        missed += gate(run.summary["overall"], floors, run.cases.unit) if floors else []
    if thresholds.get("overall"):
        missed += gate(overall["overall"], thresholds["overall"], "overall")
    return missed


def selected(args) -> list[CaseSet]:
    if getattr(args, "cases", None):
        if not args.unit:
            raise TutorError("--cases needs --unit: the unit whose passages answer those cases.")
        return [CaseSet(args.unit, "custom", Path(args.cases), tuple(load_cases(Path(args.cases))))]
    return case_sets(args.split, args.unit)


def main(args, settings: Settings) -> int:
    from ..pipeline import Tutor
    from .compare import compare
    from .report import print_table, write_report

    t0 = time.perf_counter()
    tutor = Tutor(settings)
    runs = [evaluate(tutor, s, args.backend) for s in selected(args)]
    overall = summarise([r for run in runs for r in run.results])
    thresholds = thresholds_for(args.thresholds) if all(r.cases.split == "gate" for r in runs) else {}
    missed = apply_gate(runs, overall, thresholds)
    if args.compare:
        compare(tutor, settings, runs, with_local=args.with_local)
    from ..guards.safeguarding_report import evaluation_report

    # the classifier on the held-out messages of evals/safeguarding; the contrast data's test split is measured once,
    # by hand (python -m tutor.guards.safeguarding_report --split test), never by every eval
    safeguarding, safeguarding_md = evaluation_report("test", contrast=None)
    meta = {"backend": args.backend or settings.backend, "seconds": round(time.perf_counter() - t0, 1),
            "gate": {"thresholds": thresholds, "missed": missed}, "safeguarding": safeguarding,
            "safeguarding_md": safeguarding_md}
    out = Path(args.report_dir)
    write_report(out, runs, overall, meta)
    print_table(runs, overall, thresholds)
    print(f"report: {out / 'report.md'}")
    if missed:
        print("GATE FAILED:\n  " + "\n  ".join(missed), file=sys.stderr)
        return 1
    print("gate passed" if thresholds else "no thresholds for these cases: gate not applied")
    return 0
