"""Running cases through an answerer and scoring them: shared by ``tutor eval`` (``run``) and the side-by-side
comparison (``compare``)."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from ..errors import TutorError
from .cases import CaseSet
from .metrics import Scorer, summarise


@dataclass
class UnitRun:
    cases: CaseSet
    answers: list[dict]
    results: list[dict]
    summary: dict
    comparison: dict = field(default_factory=dict)  # configuration label -> summary "overall" block


def progress(done: int, total: int, label: str) -> None:
    """A bar on a terminal; a plain line every 25 cases (and at the end) in logs."""
    if sys.stderr.isatty():
        print(f"\r{label}: {done}/{total} cases", end="\n" if done == total else "", file=sys.stderr, flush=True)
    elif done == total or done % 25 == 0:
        print(f"{label}: {done}/{total} cases", file=sys.stderr, flush=True)


def run_cases(ask, cases, label: str = "eval", show: bool = True) -> list[dict]:
    """Each case's ``tutor ask --json`` object (``ask(case) -> dict``), merged with its id."""
    answers = []
    for i, case in enumerate(cases, 1):
        try:
            answer = ask(case)
        except TutorError as exc:
            answer = {"status": "error", "answer": str(exc), "backend": "", "reason": "error", "citations": [],
                      "sentences": [], "retrieved": [], "timings_ms": {"total": 0.0}}
        answers.append({"id": case.id, **answer})
        if show:
            progress(i, len(cases), label)
    return answers


def scorer_for(tutor, extra_raw: dict[str, str] | None = None) -> Scorer:
    chunks = tutor.live().index.chunks
    return Scorer({**{c.id: c.raw for c in chunks}, **(extra_raw or {})}, tutor.verifier(),
                  {c.id: c.text for c in chunks})


def evaluate(tutor, cases: CaseSet, backend=None, mode=None, label: str = "") -> UnitRun:
    ask = lambda case: tutor.ask(case.question, case.history, backend, mode=mode, unit=cases.unit).to_json()
    answers = run_cases(ask, cases.cases, label or f"{cases.unit} ({cases.split})")
    scorer = scorer_for(tutor)
    results = [scorer.case_result(c, a) for c, a in zip(cases.cases, answers)]
    return UnitRun(cases, answers, results, summarise(results))
