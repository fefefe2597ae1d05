"""``tutor bench``: how fast the tutor is and how its cost grows, measured side by side in one run (issue 6).

Writes ``bench.json`` and ``bench.md`` (with PNG plots) into ``--out``. The stages, one module each:

- ``bench_index``: ingest (whole pipeline against the model alone) and retrieval per mode at 1x, 10x, 100x the
  unit (``bench_corpus`` builds the larger corpora), embedded Chroma and a ``chroma run`` server side by side;
- ``bench_answer``: time to citations and to the first answer text, extractive and local answerers;
- ``bench_app``: CLI start-up, the app's start-up and memory, concurrent ``gradio_client`` learners;
- ``bench_report``: the Markdown and plots. Where a target is missed, a cProfile of that stage says why.

Benchmarks are not tests: nothing here passes or fails on a number. ``--smoke`` runs a tiny version of every
section to prove the bench works::

    $ tutor bench --smoke --out /tmp/bench        # about two minutes on 2 idle cores
    $ tutor bench                                  # sizes 1,10,100: about 20 minutes on 2 busy cores
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from . import bench_corpus
from .bench_util import QUIET_ENV, chroma_server, profile_top
from .errors import ConfigError
from .settings import PROJECT_ROOT, Settings

DEV_QUESTIONS = PROJECT_ROOT / "evals" / "dev.jsonl"


@dataclass(frozen=True)
class Plan:
    sizes: tuple[int, ...]  # corpus sizes, in copies of the unit
    questions: int | None  # dev questions for retrieval and extractive answers (None: all)
    retrieval_repeats: int  # passes over the questions per size
    retrieval_budget_s: float  # per size
    local_questions: int  # questions for the local model (about 10 s each on 2 busy cores)
    local_budget_s: float
    levels: tuple[int, ...]  # concurrent learners
    per_client: int  # questions each learner asks at most
    level_s: float  # time limit per level
    cli_runs: int
    thorough: bool  # the slow extras: profiles of missed stages, three model probes, the one-thread app run


def plan_for(sizes: str, smoke: bool) -> Plan:
    if smoke:
        return Plan(sizes=(1,), questions=5, retrieval_repeats=1, retrieval_budget_s=30, local_questions=1,
                    local_budget_s=60, levels=(1, 2), per_client=2, level_s=20, cli_runs=2, thorough=False)
    try:
        parsed = tuple(sorted({int(s) for s in sizes.split(",") if s.strip()}))
    except ValueError:
        parsed = ()
    if not parsed or parsed[0] < 1:
        raise ConfigError(f"--sizes must be positive whole numbers separated by commas, e.g. 1,10,100. Currently {sizes!r}.")
    return Plan(sizes=parsed, questions=None, retrieval_repeats=1, retrieval_budget_s=150, local_questions=6,
                local_budget_s=120, levels=(1, 5, 20), per_client=47, level_s=40, cli_runs=5, thorough=True)


def load_questions(path: Path = DEV_QUESTIONS) -> list[dict]:
    if not path.exists():
        raise ConfigError(f"No dev questions at {path}. The bench asks the eval dev set (JSON lines with question, history, kind).")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


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
        "corpus": bench_corpus.DESCRIPTION, "embed_model": settings.embed_model, "top_k": settings.top_k},
        "ingest": [], "retrieval": [], "profiles": {}}
    work = Path(tempfile.mkdtemp(prefix="tutor-bench-"))
    failed = []
    try:
        _run(plan, settings, questions, work, data, failed)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    data["machine"]["load_end"] = _load()
    data["targets"] = targets(data)
    from .bench_report import observations, write_markdown

    data["observations"] = observations(data)
    (out / "bench.json").write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")

    write_markdown(data, out)
    met = [t for t in data["targets"] if t["met"] is not None]
    print(f"Wrote {out / 'bench.json'} and {out / 'bench.md'}: {sum(t['met'] for t in met)} of {len(met)} targets met"
          + (f"; sections that failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


def _section(name: str, data: dict, failed: list[str], fn) -> None:
    """Run one section; a failure is recorded in bench.json and the next section still runs."""
    print(f"bench: {name} ...", file=sys.stderr, flush=True)
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - reported in bench.json/bench.md and by the exit code
        data[name] = {**(data.get(name) if isinstance(data.get(name), dict) else {}), "error": f"{exc.__class__.__name__}: {exc}"}
        failed.append(name)


def _run(plan: Plan, settings: Settings, questions: list[dict], work: Path, data: dict, failed: list[str]) -> None:
    from .embed import get_embedder

    t0 = time.perf_counter()
    embedder = get_embedder(settings.embed_model)
    embedder.embed_documents(["warm up the model"])
    data["config"]["model_load_s"] = round(time.perf_counter() - t0, 2)
    if "torch" in sys.modules:
        data["machine"]["torch_threads"] = sys.modules["torch"].get_num_threads()
    asked = questions[:plan.questions]
    unit = {}

    def index_sections():
        from .bench_index import ingest, mirror, query_threads, retrieval

        with chroma_server(work / "chroma") as (host, port):
            for size in plan.sizes:
                corpus = bench_corpus.build(settings.corpus_dir, size, work / f"corpus-{size}x")
                built = ingest(settings, corpus, work / f"index-{size}x", embedder, repeats=3 if size <= 10 else 1)
                server = mirror(built, work / f"index-{size}x-server", host, port, embedder)
                row = {**built.result, "size": size, **server.result}
                data["ingest"].append(row)
                if size == 1:
                    unit["settings"] = built.settings
                rows, prof = retrieval({"embedded": built.settings, "server": server.settings}, embedder, asked,
                                       settings.top_k, plan.retrieval_repeats, plan.retrieval_budget_s,
                                       profile=size == plan.sizes[-1])
                data["retrieval"] += [{"size": size, "chunks": row["chunks"], **r} for r in rows]
                if prof:
                    data["profiles"][f"retrieval: hybrid search at {size}x"] = prof
        data["query_embedding_ms"] = query_threads(embedder, asked)
        last = data["ingest"][-1]
        if last["ratio"] > TARGET_RATIO and plan.thorough:
            size = 10 if 10 in plan.sizes else plan.sizes[0]
            s = settings.replace(corpus_dir=work / f"corpus-{size}x", index_dir=work / "index-profile", chroma_host="")
            from .index import sync

            data["profiles"][f"ingest: sync at {size}x"] = {
                "what": f"tutor ingest from scratch at {size}x", **profile_top(lambda: sync(s, rebuild=True, embedder=embedder))}

    _section("ingest", data, failed, index_sections)
    if "settings" not in unit:  # the answering and app sections use the unit itself (1x)
        from .bench_index import ingest

        unit["settings"] = ingest(settings, bench_corpus.build(settings.corpus_dir, 1, work / "corpus-1x"),
                                  work / "index-1x", embedder).settings
    base = unit["settings"].replace(log_chats=False, db=work / "bench.sqlite3")
    data["answering"] = {}

    def answering_section():
        from .answer import Tutor
        from .bench_answer import answer_one, answering, model_first_token

        tutor = Tutor(base)
        data["answering"]["extractive"] = answering(tutor, asked, "extractive", 300, profile_questions=10)
        t0 = time.perf_counter()
        tutor.backend("local").model()  # load the GGUF once, timed on its own
        data["answering"]["local_model_load_s"] = round(time.perf_counter() - t0, 2)
        local = answering(tutor, questions, "local", plan.local_budget_s, limit=plan.local_questions)
        data["answering"]["local"] = local
        data["answering"]["local_model_first_token_ms"] = model_first_token(tutor, questions, 3 if plan.thorough else 1)
        if plan.thorough and (local["first_text_ms"]["p95"] or float("inf")) > 1500:  # the aim, or nothing answered
            case = next(q for q in questions if q.get("kind") == "answerable")
            local["profile"] = {"what": "local: 1 answerable question, the whole stream",
                                **profile_top(lambda: answer_one(tutor, case, "local"))}
        for name in ("extractive", "local"):
            if "profile" in data["answering"][name]:
                data["profiles"][f"answering: {name}"] = data["answering"][name].pop("profile")

    _section("answering", data, failed, answering_section)

    def cli_section():
        from .bench_app import cli_times

        data["cli"] = cli_times(base.index_dir, plan.cli_runs)

    _section("cli", data, failed, cli_section)
    data["concurrency"] = []

    def app_section():
        from .bench_app import app, startup_imports, startup_profile

        startup, rows = app(base, questions, plan.levels, plan.per_client, plan.level_s, work)
        data["startup"], data["concurrency"] = startup, rows
        first = next(q for q in questions if q.get("kind") == "answerable")["question"]
        data["startup"]["slowest_imports"] = startup_imports(base, first, work)
        if plan.thorough and startup["first_answer_s"] > 20:
            data["profiles"]["start-up: import, build the app, first answer"] = startup_profile(base, first, work)
        if plan.thorough:  # the same app with one torch thread per request, side by side
            one, rows = app(base, questions, plan.levels[:2], plan.per_client, plan.level_s, work, extra_env=ONE_THREAD)
            data["one_thread"] = {"env": ONE_THREAD, "startup": one, "concurrency": rows}

    _section("startup", data, failed, app_section)


TARGET_RATIO = 1.25
ONE_THREAD = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def targets(data: dict) -> list[dict]:
    """The aims of issue 6, each with the measured value (None when that section did not measure it)."""
    def get(fn):
        try:
            return fn(data)
        except (KeyError, IndexError, TypeError):
            return None

    sizes = sorted({r["size"] for r in data.get("retrieval", [])})
    big = 100 if 100 in sizes else (sizes[-1] if sizes else 100)

    def hybrid(store):
        return lambda d: next(r["p95_ms"] for r in d["retrieval"] if r["size"] == big and r["store"] == store
                              and r["mode"] == "hybrid" and r["query_embedding"] == "included")

    ingest_size = get(lambda d: d["ingest"][-1]["size"])
    rows = [
        ("citations available, p95", 300, "ms", lambda d: d["answering"]["extractive"]["citations_ms"]["p95"], "answering: extractive"),
        ("first answer text, p95, extractive", 1000, "ms", lambda d: d["answering"]["extractive"]["first_text_ms"]["p95"], "answering: extractive"),
        ("first answer text, p95, local", 1500, "ms", lambda d: d["answering"]["local"]["first_text_ms"]["p95"], "answering: local"),
        (f"hybrid retrieval p95 at {big}x, embedded Chroma", 50, "ms", hybrid("embedded"), f"retrieval: hybrid search at {big}x"),
        (f"hybrid retrieval p95 at {big}x, Chroma server", 50, "ms", hybrid("server"), f"retrieval: hybrid search at {big}x"),
        (f"ingest time, pipeline / model alone, at {ingest_size}x", TARGET_RATIO, "x", lambda d: d["ingest"][-1]["ratio"], "ingest"),
        ("serving process peak resident memory", 1500, "MB", lambda d: d["startup"]["peak_rss_mb"], None),
        ("ready to answer after process start", 20, "s", lambda d: d["startup"]["first_answer_s"], None),
        ("`tutor --help` wall time", 1.0, "s", lambda d: d["cli"]["help"]["median_s"], None),
        ("`tutor status` wall time", 1.0, "s", lambda d: d["cli"]["status"]["median_s"], None),
    ]
    out = []
    for name, limit, unit, fn, profile in rows:
        value = get(fn)
        out.append({"name": name, "limit": limit, "unit": unit, "value": value,
                    "met": None if value is None else value < limit, "profile": profile})
    return out
