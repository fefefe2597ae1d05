"""The embedding encoders side by side in one run (issue 21): PyTorch (``bundled``), ONNX fp32 (``onnx``) and
ONNX int8 (``onnx-int8``) on the same corpus, in turns so background load falls on each alike.

Per encoder: ``tutor ingest`` from scratch (chunks/s, and the ratio to PyTorch's), the same texts encoded alone,
query embedding p50/p95, agreement with PyTorch's vectors (cosine min/mean), and the peak memory of a fresh
serving process (``Tutor`` answering a few dev questions) with that encoder::

    rows = compare(settings, corpus, work, questions, ("bundled", "onnx", "onnx-int8"), rounds=2)
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from .index import embedded_texts
from .util import QUIET_ENV, ms_since, peak_rss_mb, summary
from ..ingest.embed import get_embedder, model_label
from ..ingest.index import read_manifest
from ..ingest.sync import sync
from ..settings import PROJECT_ROOT, Settings

ENCODERS = ("bundled", "onnx", "onnx-int8")


def compare(settings: Settings, corpus: Path, work: Path, questions: list[dict], encoders=ENCODERS,
            rounds: int = 2, serving_questions: int = 5) -> dict:
    """Each encoder's row, the first one (PyTorch) the reference of the ratios and the agreement."""
    embedders = {name: _loaded(name) for name in encoders}
    ingest_s: dict[str, list[float]] = {name: [] for name in encoders}
    built: dict[str, Settings] = {}
    for r in range(rounds):
        for name in (encoders if r % 2 == 0 else tuple(reversed(encoders))):
            s = settings.replace(corpus_dir=corpus, index_dir=work / f"encoder-{name}-{r}", chroma_host="",
                                 embed_model=name)
            t0 = time.perf_counter()
            sync(s, rebuild=True, embedder=embedders[name][0], show_progress=False)
            ingest_s[name].append(time.perf_counter() - t0)
            built[name] = s
    reference = encoders[0]
    chunk_texts, sentence_texts = embedded_texts(built[reference])
    texts = chunk_texts + sentence_texts
    asked = [q["question"] for q in questions]
    vectors, encode_s, query_ms = {}, {}, {}
    for name in encoders:
        e = embedders[name][0]
        t0 = time.perf_counter()
        vectors[name] = np.asarray(e.embed_documents(texts), dtype=np.float32)
        encode_s[name] = time.perf_counter() - t0
        times = []
        for q in asked:
            t0 = time.perf_counter()
            e.embed_query(q)
            times.append(ms_since(t0))
        query_ms[name] = summary(times)
    chunks = read_manifest(built[reference].index_dir).chunks
    median = {name: sorted(v)[len(v) // 2] for name, v in ingest_s.items()}
    rows = []
    for name in encoders:
        cos = np.sum(vectors[name] * vectors[reference], axis=1)
        rows.append({"encoder": name, "label": model_label(name), "load_s": embedders[name][1],
                     "ingest_s": round(median[name], 2), "chunks_per_s": round(chunks / median[name], 1),
                     "ingest_ratio": round(median[reference] / median[name], 2),
                     "encode_texts_per_s": round(len(texts) / encode_s[name], 1),
                     "encode_ratio": round(encode_s[reference] / encode_s[name], 2),
                     "query_ms": query_ms[name], "cosine_min": round(float(cos.min()), 5),
                     "cosine_mean": round(float(cos.mean()), 5),
                     **serving(built[name], questions[:serving_questions], work / f"serving-{name}.log")})
    return {"chunks": chunks, "texts": len(texts), "rounds": rounds, "reference": reference, "rows": rows}


def _loaded(name: str) -> tuple[object, float]:
    t0 = time.perf_counter()
    e = get_embedder(name)
    e.embed_documents(["warm up the model"])
    return e, round(time.perf_counter() - t0, 2)


SERVE = """import json, sys
from tutor.pipeline import Tutor
from tutor.settings import Settings
tutor = Tutor(Settings.from_env())
for case in json.loads(sys.argv[1]):
    tutor.ask(case["question"], unit=case.get("unit"))
print(json.dumps(sorted(m for m in ("torch", "transformers", "sentence_transformers") if m in sys.modules)))
"""


def serving(settings: Settings, questions: list[dict], log: Path, timeout: float = 600) -> dict:
    """Peak resident memory of a fresh process that answers ``questions`` as the app does (index, embedder,
    safeguarding, extractive answers, direct answers), and whether torch was loaded into it."""
    import json

    env = {k: v for k, v in os.environ.items() if not k.startswith("TUTOR_")}
    env.update(QUIET_ENV, TUTOR_CORPUS_DIR=str(settings.corpus_dir), TUTOR_INDEX_DIR=str(settings.index_dir),
               TUTOR_EMBED_MODEL=settings.embed_model, TUTOR_LOG_CHATS="0", TUTOR_BACKEND="extractive",
               TUTOR_MODEL_CACHE=str(settings.model_cache))
    cases = json.dumps([{"question": q["question"], "unit": None} for q in questions])
    peak, t0 = 0.0, time.perf_counter()
    with open(log, "w") as err:
        proc = subprocess.Popen([sys.executable, "-c", SERVE, cases], stdout=subprocess.PIPE, stderr=err, env=env,
                                cwd=PROJECT_ROOT, text=True)
        try:
            while proc.poll() is None and time.perf_counter() - t0 < timeout:
                peak = max(peak, peak_rss_mb(proc.pid) or 0.0)
                time.sleep(0.05)
        finally:
            if proc.poll() is None:
                proc.kill()
        out = proc.stdout.read() if proc.stdout else ""
    if proc.returncode != 0:
        raise RuntimeError(f"the serving probe exited with {proc.returncode}: {log.read_text()[-300:].strip()}")
    return {"serving_peak_rss_mb": round(peak, 1), "serving_s": round(time.perf_counter() - t0, 1),
            "serving_heavy_imports": json.loads(out.strip().splitlines()[-1])}
