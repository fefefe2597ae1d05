"""``tutor eval --compare``: the same cases through other configurations, side by side per unit, in one run:
the naive baseline, each retrieval mode with extractive answers, and (``--with-local``) the local model."""

from __future__ import annotations

from . import extractive_v1  # noqa: F401 - registers the previous default answerer for the comparison
from .baseline import Baseline
from .metrics import summarise
from .execute import UnitRun, run_cases, scorer_for

CONFIGURATIONS = [  # (label, backend, retrieval mode)
    ("previous default answerer (fixed weights)", "extractive-v1", "hybrid+query"),
    ("keyword only + extractive", "extractive", "keyword"),
    ("dense only + extractive", "extractive", "dense"),
    ("hybrid + extractive", "extractive", "hybrid"),
]
LOCAL = [("local SmolLM2, verified, no fallback", "local", "hybrid+query")]
DEFAULT = "default configuration"


def compare(tutor, settings, runs: list[UnitRun], with_local: bool = False) -> None:
    """Fill each run's ``comparison``: configuration label -> its summary over the same cases."""
    baseline = Baseline(settings.corpus_dir, tutor.live().index.embedder)
    scorer = scorer_for(tutor, baseline.raw_by_id())
    for run in runs:
        cases, unit = run.cases.cases, run.cases.unit
        run.comparison[Baseline.name] = _summary(scorer, cases, run_cases(
            lambda c: baseline.ask(c.question, c.history, unit), cases, f"{unit}: baseline"))
        for label, backend, mode in CONFIGURATIONS + (LOCAL if with_local else []):
            answers = run_cases(lambda c: tutor.ask(c.question, c.history, backend, mode=mode, unit=unit).to_json(),
                                cases, f"{unit}: {label}")
            run.comparison[label] = _summary(scorer, cases, answers)
        run.comparison[DEFAULT] = run.summary["overall"]


def _summary(scorer, cases, answers) -> dict:
    return summarise([scorer.case_result(c, a) for c, a in zip(cases, answers)])["overall"]
