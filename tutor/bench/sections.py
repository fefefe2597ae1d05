"""The sections of ``tutor bench``, one function each; ``main`` runs them in order and records what fails.

Each section writes its numbers into ``run.data`` (what becomes ``bench.json``) as it goes, so a section that
fails part-way still keeps what it measured. The stage modules (``index``, ``answer``, ``app``) are imported
inside the sections: a section whose imports fail is then reported like any other failure.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

from . import corpus as bench_corpus
from .plan import Plan
from .targets import TARGET_RATIO
from .util import chroma_server, profile_top
from ..settings import Settings


ONE_THREAD = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@dataclass
class Run:
    """What the sections share: the plan, the settings, the dev questions (each with its ``unit``), a scratch
    folder and the results."""
    plan: Plan
    settings: Settings
    questions: list[dict]
    work: Path
    data: dict
    embedder: object
    course: Settings | None = None  # the index of the whole course, once a section has built it

    @property
    def asked(self) -> list[dict]:
        """The questions for extractive answers (the plan may ask fewer than all)."""
        return self.questions[:self.plan.questions]

    @property
    def scaled(self) -> list[dict]:
        """The questions for retrieval in the larger corpora: the dev questions of the unit they grow from (all
        questions, limited to that unit, when it has none)."""
        slug = bench_corpus.unit_folder(self.settings.corpus_dir).name
        own = [q for q in self.questions if q.get("unit") == slug] or [{**q, "unit": slug} for q in self.questions]
        return own[:self.plan.questions]


def warm_embedder(settings: Settings, data: dict):
    """Load the embedding model once, timed on its own, so no section's numbers include loading it."""
    from ..ingest.embed import get_embedder

    t0 = time.perf_counter()
    embedder = get_embedder(settings.embed_model)
    embedder.embed_documents(["warm up the model"])
    data["config"]["model_load_s"] = round(time.perf_counter() - t0, 2)
    if "torch" in sys.modules:
        data["machine"]["torch_threads"] = sys.modules["torch"].get_num_threads()
    return embedder


def ingest_and_retrieval(run: Run) -> None:
    """Per size: ingest, mirror the index into a Chroma server, then time retrieval against both stores."""
    from .index import ingest, mirror, query_threads, retrieval

    plan, settings, work, data = run.plan, run.settings, run.work, run.data
    with chroma_server(work / "chroma") as (host, port):
        for size in plan.sizes:
            corpus = bench_corpus.build(settings.corpus_dir, size, work / f"corpus-{size}x")
            built = ingest(settings, corpus, work / f"index-{size}x", run.embedder, repeats=3 if size <= 10 else 1)
            server = mirror(built, work / f"index-{size}x-server", host, port, run.embedder)
            row = {**built.result, "size": size, **server.result}
            data["ingest"].append(row)
            rows, prof = retrieval({"embedded": built.settings, "server": server.settings}, run.embedder, run.scaled,
                                   settings.top_k, plan.retrieval_repeats, plan.retrieval_budget_s,
                                   profile=size == plan.sizes[-1])
            data["retrieval"] += [{"size": size, "chunks": row["chunks"], **r} for r in rows]
            if prof:
                data["profiles"][f"retrieval: hybrid search at {size}x"] = prof
    data["query_embedding_ms"] = query_threads(run.embedder, run.scaled)
    if data["ingest"][-1]["ratio"] > TARGET_RATIO and run.plan.thorough:
        _profile_ingest(run)


def _profile_ingest(run: Run) -> None:
    """Ingest missed its aim: profile one ``tutor ingest`` from scratch to say where the time goes."""
    from ..ingest.sync import sync

    size = 10 if 10 in run.plan.sizes else run.plan.sizes[0]
    s = run.settings.replace(corpus_dir=run.work / f"corpus-{size}x", index_dir=run.work / "index-profile",
                             chroma_host="")
    run.data["profiles"][f"ingest: sync at {size}x"] = {
        "what": f"tutor ingest from scratch at {size}x", **profile_top(lambda: sync(s, rebuild=True, embedder=run.embedder))}


def course_settings(run: Run) -> Settings:
    """The index of the whole course (every unit, as it is) for the answering and app sections, whose dev
    questions each ask within their own unit."""
    if run.course is None:
        from ..ingest.sync import sync

        s = run.settings.replace(index_dir=run.work / "index-course", chroma_host="")
        t0 = time.perf_counter()
        report = sync(s, rebuild=True, embedder=run.embedder, show_progress=False)
        run.data["config"]["course_index"] = {"units": report.units, "files": report.files,
                                              "embedded": report.embedded, "seconds": round(time.perf_counter() - t0, 2)}
        run.course = s
    return run.course


def edits(run: Run) -> None:
    """The unit (1x) built from scratch, then one-word edits in different paragraphs, each ingested."""
    from .lean import edits as measure

    corpus = bench_corpus.build(run.settings.corpus_dir, 1, run.work / "edits" / "corpus")
    run.data["edits"] = measure(run.settings, corpus, run.work / "edits" / "index", run.embedder, run.plan.edits)


def encoders(run: Run) -> None:
    """PyTorch, ONNX fp32 and ONNX int8 side by side: ingest chunks/s, agreement, query time, serving memory."""
    from .encoders import compare

    size = run.plan.encoder_size
    corpus = bench_corpus.build(run.settings.corpus_dir, size, run.work / f"encoders-corpus-{size}x")
    run.data["encoders"] = {"size": size, **compare(run.settings, corpus, run.work / "encoders", run.scaled,
                                                    rounds=run.plan.encoder_rounds,
                                                    serving_questions=run.plan.serving_questions)}


def large_file(run: Run) -> None:
    """A fresh ``tutor ingest`` process given the unit as one large plain-text file: seconds and peak memory."""
    from .lean import ingest_process

    folder = run.work / "large"
    path = bench_corpus.large_file(run.settings.corpus_dir, run.plan.large_mb, folder)
    run.data["large_file"] = ingest_process(run.settings, path, folder / "index", folder / "ingest.log",
                                            run.plan.large_timeout_s)


def answering(run: Run, base: Settings) -> None:
    """Time to citations and to the first answer text, extractive then local; profile the local one if slow."""
    from ..pipeline import Tutor
    from .answer import answer_one, answering as time_answers, model_first_token

    plan, questions, results = run.plan, run.questions, run.data["answering"]
    tutor = Tutor(base)
    results["extractive"] = time_answers(tutor, run.asked, "extractive", 300, profile_questions=10)
    t0 = time.perf_counter()
    tutor.backend("local").model()  # load the GGUF once, timed on its own
    results["local_model_load_s"] = round(time.perf_counter() - t0, 2)
    local = time_answers(tutor, questions, "local", plan.local_budget_s, limit=plan.local_questions)
    results["local"] = local
    results["local_model_first_token_ms"] = model_first_token(tutor, questions, 3 if plan.thorough else 1)
    if plan.thorough and (local["first_text_ms"]["p95"] or float("inf")) > 1500:  # the aim, or nothing answered
        case = next(q for q in questions if q.get("kind") == "answerable")
        local["profile"] = {"what": "local: 1 answerable question, the whole stream",
                            **profile_top(lambda: answer_one(tutor, case, "local"))}
    for name in ("extractive", "local"):
        if "profile" in results[name]:
            run.data["profiles"][f"answering: {name}"] = results[name].pop("profile")


def cli(run: Run, base: Settings) -> None:
    """Wall time of ``tutor --help`` and ``tutor status`` in fresh processes."""
    from .app import cli_times

    run.data["cli"] = cli_times(base.index_dir, run.plan.cli_runs)


def startup(run: Run, base: Settings) -> None:
    """The app's start-up and memory, concurrent learners, and (thorough) the same app with one torch thread."""
    from .app import app, startup_imports, startup_profile

    plan, questions, work, data = run.plan, run.questions, run.work, run.data
    started, rows = app(base, questions, plan.levels, plan.per_client, plan.level_s, work)
    data["startup"], data["concurrency"] = started, rows
    first = next(q for q in questions if q.get("kind") == "answerable")
    data["startup"]["slowest_imports"] = startup_imports(base, first, work)
    if plan.thorough and started["first_answer_s"] > 20:
        data["profiles"]["start-up: import, build the app, first answer"] = startup_profile(base, first, work)
    if plan.thorough:  # the same app with one torch thread per request, side by side
        one, rows = app(base, questions, plan.levels[:2], plan.per_client, plan.level_s, work, extra_env=ONE_THREAD)
        data["one_thread"] = {"env": ONE_THREAD, "startup": one, "concurrency": rows}
