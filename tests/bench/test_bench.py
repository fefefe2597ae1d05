"""``tutor bench --smoke`` runs every section end to end and writes a complete report. Benchmarks are not tests:
nothing here checks how fast anything is, only that each number was measured."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tutor.bench.corpus import build, large_file, recombine
from tutor.bench.util import summary
from tutor.evals.metrics import percentile


def test_percentile_and_summary():
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0], 50) == 3.0
    assert percentile([10.0, 20.0], 95) == pytest.approx(19.5)
    assert summary([]) == {"n": 0, "p50": None, "p95": None, "mean": None, "max": None}


def test_scaled_corpus_copies_have_distinct_text(tmp_path):
    from tutor.ingest.chunk import chunk_document
    from tutor.ingest.load import load_corpus

    build(ROOT / "corpus", 3, tmp_path / "corpus")  # one unit of the course, written as one unit folder
    corpus = load_corpus(tmp_path / "corpus")
    chunks = [c for d in corpus.docs for c in chunk_document(d)]
    assert len(corpus.docs) == 3 and not corpus.skipped
    assert list(corpus.units) == ["unit-25-safeguarding"]
    assert len({c.text for c in chunks}) == len(chunks)  # nothing for the ingest cache to skip
    assert recombine([["A one.", "A two."]], 1) != recombine([["A one.", "A two."]], 2)


def test_large_file_is_one_plain_text_unit_of_about_the_size_asked(tmp_path):
    from tutor.ingest.load import load_corpus

    path = large_file(ROOT / "corpus", 0.1, tmp_path)
    corpus = load_corpus(path.parent.parent)
    assert 0.1e6 <= path.stat().st_size < 0.12e6 and path.read_text(encoding="utf-8").count("\n") > 100
    assert [d.source.rsplit("/", 1)[1] for d in corpus.docs] == [path.name] and list(corpus.units) == [path.parent.name]


def test_edits_change_one_word_in_a_different_paragraph_each_time(tmp_path, make_settings):
    from tutor.bench.lean import edits

    corpus = build(ROOT / "corpus", 1, tmp_path / "corpus")
    result = edits(make_settings(corpus=corpus), corpus, tmp_path / "index", None, 3)
    lines = [r["line"] for r in result["rows"][1:]]
    assert len(set(lines)) == 3 and result["rows"][0]["embedded"] > 0
    assert all(0 < r["embedded"] < result["rows"][0]["embedded"] for r in result["rows"][1:])
    assert result["growth"] > 0 and all(r["index_mb"] > 0 for r in result["rows"])


def test_questions_are_the_dev_cases_of_every_unit_dealt_in_turn():
    from tutor.bench.main import load_questions
    from tutor.evals.cases import case_sets

    questions = load_questions()
    dev = case_sets("dev")
    assert len(questions) == sum(len(cs.cases) for cs in dev)
    assert [q["unit"] for q in questions[:len(dev)]] == [cs.unit for cs in dev]
    gate = {c.id + cs.unit for cs in case_sets("gate") for c in cs.cases}
    assert not gate & {q["id"] + q["unit"] for q in questions}


def test_bad_sizes_say_what_to_write():
    from tutor.bench.main import plan_for
    from tutor.errors import ConfigError

    assert plan_for("100,1,10", smoke=False).sizes == (1, 10, 100)
    with pytest.raises(ConfigError, match="e.g. 1,10,100"):
        plan_for("1,ten", smoke=False)


def _numbers(value) -> list[float]:
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, (int, float)):
        return [float(value)]
    if isinstance(value, dict):
        return [n for v in value.values() for n in _numbers(v)]
    if isinstance(value, list):
        return [n for v in value for n in _numbers(v)]
    return []


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_bench_smoke_writes_every_section(tmp_path):
    out = tmp_path / "bench"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUTOR_")}
    done = subprocess.run([sys.executable, "-m", "tutor", "bench", "--smoke", "--out", str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=580)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    data = json.loads((out / "bench.json").read_text())

    for section in ("machine", "config", "ingest", "encoders", "retrieval", "edits", "answering", "startup", "concurrency", "cli",
                    "large_file", "targets"):
        assert section in data and "error" not in data[section], (section, data.get(section))
    ingest = data["ingest"][0]
    assert ingest["chunks"] > 0 and ingest["pipeline_s"] > 0 and ingest["encode_alone_s"] > 0 and ingest["ratio"] > 0
    assert ingest["server_ingest_s"] > 0
    encoders = {r["encoder"]: r for r in data["encoders"]["rows"]}
    assert list(encoders) == ["bundled", "onnx", "onnx-int8"]
    assert all(r["chunks_per_s"] > 0 and r["serving_peak_rss_mb"] > 100 and r["query_ms"]["p95"] > 0 for r in encoders.values())
    assert encoders["onnx"]["cosine_min"] > 0.99 and encoders["bundled"]["ingest_ratio"] == 1.0
    assert "torch" not in encoders["onnx-int8"]["serving_heavy_imports"]  # its serving process never loads torch
    cells = {(r["store"], r["mode"]) for r in data["retrieval"]}
    assert {(s, m) for s in ("embedded", "server") for m in ("keyword", "dense", "hybrid")} <= cells
    assert all(r["n"] > 0 and r["p50_ms"] > 0 and r["p95_ms"] >= r["p50_ms"] for r in data["retrieval"])
    for backend in ("extractive", "local"):  # the local model may fail verification: citations are still timed
        a = data["answering"][backend]
        assert a["questions"] > 0 and a["citations_ms"]["p95"] > 0, a
    assert data["answering"]["extractive"]["first_text_ms"]["p95"] > 0
    assert data["answering"]["local_model_first_token_ms"]["p50"] > 0
    assert data["startup"]["first_answer_s"] > data["startup"]["port_open_s"] > 0
    assert data["startup"]["peak_rss_mb"] > 0
    assert [r["clients"] for r in data["concurrency"]] == [1, 2]
    assert all(r["answers"] > 0 and r["answers_per_s"] > 0 for r in data["concurrency"])
    assert data["cli"]["help"]["median_s"] > 0 and data["cli"]["status"]["median_s"] > 0
    assert [r["edit"] for r in data["edits"]["rows"]] == [0, 1, 2, 3, 4, 5]
    assert all(r["index_mb"] > 0 and r["seconds"] > 0 for r in data["edits"]["rows"])
    assert all(0 < r["embedded"] < data["edits"]["rows"][0]["embedded"] for r in data["edits"]["rows"][1:])
    big = data["large_file"]
    assert big["file_mb"] > 0.1 and big["chunks"] > 0 and big["seconds"] > 0 and big["peak_rss_mb"] > 100
    assert all(math.isfinite(n) for n in _numbers(data))
    measured = [t for t in data["targets"] if "local" not in t["name"]]
    assert all(t["value"] is not None for t in measured), data["targets"]

    md = (out / "bench.md").read_text()
    for heading in ("## Targets", "## Ingest", "## Encoders", "## Retrieval", "## Index size over edits", "## A large text file",
                    "## Answering", "## Start-up and memory", "## Concurrent learners", "## CLI start-up",
                    "## Where the time goes"):
        assert heading in md
    for png in ("ingest.png", "retrieval.png", "answering.png", "concurrency.png"):
        assert (out / png).stat().st_size > 1000 and f"]({png})" in md
