"""``tutor bench``: how fast the tutor is and how its cost grows, measured side by side in one run (issue 6).

Writes ``bench.json`` and ``bench.md`` (with PNG plots) into ``--out``. The stages, one module each:

- ``index``: ingest (whole pipeline against the model alone) and retrieval per mode at 1x, 10x, 100x one
  unit (``corpus`` builds the larger corpora), embedded Chroma and a ``chroma run`` server side by side;
- ``encoders``: PyTorch, ONNX fp32 and ONNX int8 side by side: ingest chunks/s, agreement with PyTorch's
  vectors, query embedding time, a serving process's peak memory with each;
- ``lean``: the index folder's size over one-word edits, and a fresh ``tutor ingest`` of one large text file
  (20 MB; 0.2 MB in ``--smoke``): seconds and peak memory;
- ``answer``: time to citations and to the first answer text, extractive and local answerers, over the dev
  questions of every development unit, each asked within its unit (index of the whole course);
- ``app``: CLI start-up, the app's start-up and memory, concurrent ``gradio_client`` learners;
- ``sections``: runs those stages, one function a section; ``targets``: the aims set beside the numbers;
- ``report``: the Markdown, with ``plots`` and ``observations``. Where a target is missed, a cProfile of that
  stage says why.

Benchmarks are not tests: nothing here passes or fails on a number. ``--smoke`` runs a tiny version of every
section to prove the bench works::

    $ tutor bench --smoke --out /tmp/bench        # about four minutes on 2 idle cores (six on busy ones)
    $ tutor bench                                  # sizes 1,10,100: about 1.5 hours on 2 cores (the 20 MB file
                                                   # takes most of it)
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import sys
import tempfile
import time
from dataclasses import asdict
from itertools import zip_longest
from pathlib import Path

from . import corpus as bench_corpus, sections
from .plan import Plan, plan_for
from .targets import targets
from .util import QUIET_ENV
from ..settings import Settings


def load_questions() -> list[dict]:
    """The dev cases of every development unit, each with its ``unit``, dealt in turn (one of each unit, then
    the next of each), so the first few already span the units. Gate cases are never read."""
    from ..evals.cases import case_sets

    sets = [[{**case.to_json(), "unit": cs.unit} for case in cs.cases] for cs in case_sets("dev")]
    return [case for row in zip_longest(*sets) for case in row if case is not None]


def machine() -> dict:
    def first(path: str, key: str) -> str:
        try:
            return next((line.split(":", 1)[1].strip() for line in Path(path).read_text().splitlines() if line.startswith(key)), "?")
        except OSError:
            return "?"

    ram = first("/proc/meminfo", "MemTotal")
    return {"cpus": os.cpu_count(), "cpu": first("/proc/cpuinfo", "model name"), "platform": platform.platform(),
            "python": platform.python_version(), "load_start": _load(),
            "ram_gb": round(int(ram.split()[0]) / 1024 ** 2, 1) if ram != "?" else None}


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def main(args, settings: Settings) -> int:
    plan = plan_for(args.sizes, args.smoke)
    questions = load_questions()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for key, value in QUIET_ENV.items():
        os.environ.setdefault(key, value)
    command = "tutor bench --smoke" if args.smoke else f"tutor bench --sizes {','.join(map(str, plan.sizes))}"
    data: dict = {"machine": machine(), "config": {
        "when": time.strftime("%Y-%m-%d %H:%M %Z"), "command": command, "smoke": args.smoke, "plan": asdict(plan),
        "corpus": bench_corpus.DESCRIPTION, "scaled_unit": bench_corpus.unit_folder(settings.corpus_dir).name,
        "questions": _per_unit(questions), "embed_model": settings.embed_model, "top_k": settings.top_k},
        "ingest": [], "retrieval": [], "profiles": {}}
    work = Path(tempfile.mkdtemp(prefix="tutor-bench-"))
    failed = []
    try:
        _run(plan, settings, questions, work, data, failed)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    data["machine"]["load_end"] = _load()
    data["targets"] = targets(data)
    from .observations import observations
    from .report import write_markdown

    data["observations"] = observations(data)
    (out / "bench.json").write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")

    write_markdown(data, out)
    met = [t for t in data["targets"] if t["met"] is not None]
    print(f"Wrote {out / 'bench.json'} and {out / 'bench.md'}: {sum(t['met'] for t in met)} of {len(met)} targets met"
          + (f"; sections that failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


def _per_unit(questions: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for q in questions:
        counts[q["unit"]] = counts.get(q["unit"], 0) + 1
    return counts


def _section(name: str, data: dict, failed: list[str], fn) -> None:
    """Run one section; a failure is recorded in bench.json and the next section still runs."""
    print(f"bench: {name} ...", file=sys.stderr, flush=True)
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - reported in bench.json/bench.md and by the exit code
        data[name] = {**(data.get(name) if isinstance(data.get(name), dict) else {}), "error": f"{exc.__class__.__name__}: {exc}"}
        failed.append(name)


def _run(plan: Plan, settings: Settings, questions: list[dict], work: Path, data: dict, failed: list[str]) -> None:
    """The sections in order; the answering and app sections use the index of the whole course."""
    run = sections.Run(plan, settings, questions, work, data, sections.warm_embedder(settings, data))
    _section("ingest", data, failed, lambda: sections.ingest_and_retrieval(run))
    _section("encoders", data, failed, lambda: sections.encoders(run))
    _section("edits", data, failed, lambda: sections.edits(run))
    base = sections.course_settings(run).replace(log_chats=False, db=work / "bench.sqlite3")
    data["answering"] = {}  # the section fills it in as it goes, so a failure keeps what was measured
    _section("answering", data, failed, lambda: sections.answering(run, base))
    _section("cli", data, failed, lambda: sections.cli(run, base))
    data["concurrency"] = []  # in bench.json even when the app never starts
    _section("startup", data, failed, lambda: sections.startup(run, base))
    _section("large_file", data, failed, lambda: sections.large_file(run))
