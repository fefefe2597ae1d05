"""``tutor eval``: run the cases through the tutor, score them, write the report and apply the gate."""

from __future__ import annotations

import json
import sys
import time
import tomllib
from pathlib import Path

from ..settings import Settings
from .cases import load_cases
from .metrics import Scorer, gate, summarise


def run_cases(tutor, cases: list[dict], backend: str | None = None, mode: str | None = None,
              unverified: bool = False, progress: bool = True) -> list[dict]:
    """Each case's ``tutor ask --json`` object, merged with its id."""
    from ..errors import TutorError
    from .unverified import unverified as reference

    answers = []
    for i, case in enumerate(cases, 1):
        try:
            if unverified:
                answer = reference(tutor, case["question"], case["history"], backend).to_json()
            else:
                answer = tutor.ask(case["question"], case["history"], backend, mode=mode).to_json()
        except TutorError as exc:
            answer = {"status": "error", "answer": str(exc), "backend": backend or "", "citations": [],
                      "sentences": [], "retrieved": [], "timings_ms": {"total": 0.0}}
        answers.append({"id": case["id"], **answer})
        if progress:
            print(f"\r{i}/{len(cases)} cases", end="", file=sys.stderr, flush=True)
    if progress:
        print(file=sys.stderr)
    return answers


def scorer_for(tutor) -> Scorer:
    chunks = tutor.retriever.index.chunks
    return Scorer({c.id: c.raw for c in chunks}, tutor.verifier, {c.id: c.text for c in chunks})


def evaluate(tutor, cases, backend=None, mode=None, unverified=False, progress=True):
    answers = run_cases(tutor, cases, backend, mode, unverified, progress)
    scorer = scorer_for(tutor)
    results = [scorer.case_result(c, a) for c, a in zip(cases, answers)]
    return answers, results, summarise(results)


COMPARE = [  # (label, backend, retrieval mode, unverified)
    ("keyword only + extractive", "extractive", "keyword", False),
    ("dense only + extractive", "extractive", "dense", False),
    ("hybrid + extractive", "extractive", "hybrid", False),
    ("hybrid, typos and history + extractive", "extractive", "hybrid+query", False),
    ("local verified (no fallback)", "local", "hybrid+query", False),
    ("local unverified (reference only)", "local", "hybrid+query", True),
]


def main(args, settings: Settings) -> int:
    from ..pipeline import Tutor
    from .report import print_table, write_report

    t0 = time.perf_counter()
    cases = load_cases(Path(args.cases))
    tutor = Tutor(settings)
    answers, results, summary = evaluate(tutor, cases, args.backend)
    thresholds = {}
    if args.thresholds and Path(args.thresholds).exists():
        thresholds = tomllib.loads(Path(args.thresholds).read_text())["gate"]
    missed = gate(summary, thresholds) if thresholds else []
    comparison = []
    if args.compare:
        for label, backend, mode, unverified in COMPARE:
            print(f"compare: {label}", file=sys.stderr)
            _, _, s = evaluate(tutor, cases, backend, mode, unverified)
            comparison.append((label, s["overall"]))
    out = Path(args.report_dir)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "answers.jsonl", "w", encoding="utf-8") as fh:
        for a in answers:
            fh.write(json.dumps(a, ensure_ascii=False) + "\n")
    summary["cases_file"] = str(args.cases)
    summary["backend"] = args.backend or settings.backend
    summary["seconds"] = round(time.perf_counter() - t0, 1)
    summary["gate"] = {"thresholds": thresholds, "missed": missed}
    (out / "summary.json").write_text(json.dumps(summary, indent=1))
    write_report(out, cases, answers, results, summary, comparison)
    print_table(summary, thresholds)
    print(f"report: {out / 'report.md'}")
    if missed:
        print("GATE FAILED:\n  " + "\n  ".join(missed), file=sys.stderr)
        return 1
    print("gate passed" if thresholds else "no thresholds file: gate not applied")
    return 0
