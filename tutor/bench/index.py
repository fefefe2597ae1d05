"""Ingest and retrieval as the corpus grows: the whole pipeline against the model alone, and retrieval latency
per mode with embedded Chroma and a Chroma server side by side.

One size at a time (``bench.main`` drives the loop)::

    built = ingest(settings, corpus, work / "index-10x", embedder)      # embedded Chroma, timed
    server = mirror(built, work / "index-10x-server", host, port, embedder)
    rows, prof = retrieval({"embedded": built.settings, "server": server.settings}, embedder, questions, ...)
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .util import Budget, ms_since, profile_top, summary
from ..ingest.index import Index, chroma_client, load_chunks, read_manifest
from ..ingest.sync import sync
from ..ingest.vectors import ENCODE_SLICE, records
from ..retrieval.hybrid import Retriever
from ..settings import Settings

MODES = ("keyword", "dense", "hybrid", "hybrid+query")  # hybrid+query is what the tutor itself uses


@dataclass
class Built:
    settings: Settings  # where this index lives
    result: dict  # the row for bench.json


def encode_alone(embedder, texts: list[str]) -> float:
    """Seconds for sentence-transformers to encode ``texts`` by itself in one call, as the embedder would (one
    call sorts all texts by length, so its batches pad little)."""
    model = getattr(embedder, "model", None)
    t0 = time.perf_counter()
    if model is not None and hasattr(model, "encode"):
        model.encode(texts, batch_size=getattr(embedder, "batch_size", 32), normalize_embeddings=True,
                     show_progress_bar=False, convert_to_numpy=True)
    else:  # not a sentence-transformers embedder (e.g. "fake"): its own batch call is the baseline
        embedder.embed_documents(texts)
    return time.perf_counter() - t0


class _Timed:
    """The embedder, counting the seconds the pipeline spends inside it (same run, same moment)."""

    def __init__(self, embedder):
        self.embedder, self.seconds = embedder, 0.0
        self.name = getattr(embedder, "name", "embedder")

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        t0 = time.perf_counter()
        try:
            return self.embedder.embed_documents(texts)
        finally:
            self.seconds += time.perf_counter() - t0

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed_query(text)


def query_threads(embedder, questions: list[dict], limit: int = 20) -> dict:
    """Query embedding time with torch's default thread count against one thread, question by question in
    turn. On a busy machine torch's intra-op threads wait on each other; one thread can be faster for one query."""
    torch = sys.modules.get("torch")
    if torch is None or not hasattr(embedder, "model"):
        return {}
    default = torch.get_num_threads()
    times: dict[int, list[float]] = {default: [], 1: []}
    try:
        for q in questions[:limit]:
            for threads in times:
                torch.set_num_threads(threads)
                t0 = time.perf_counter()
                embedder.embed_query(q["question"])
                times[threads].append(ms_since(t0))
    finally:
        torch.set_num_threads(default)
    return {f"torch_threads_{n}": summary(v) for n, v in times.items()}


def embedded_texts(settings: Settings) -> tuple[list[str], list[str]]:
    """The chunk texts and the sentence texts the pipeline sent to the model (each id once, as it does)."""
    manifest = read_manifest(settings.index_dir)
    chunks, sentences = records(load_chunks(settings.index_dir / "generations" / manifest.generation))
    return [text for text, _ in chunks.values()], [text for text, _ in sentences.values()]


def ingest(settings: Settings, corpus: Path, index_dir: Path, embedder, repeats: int = 1) -> Built:
    """Time ``sync`` from scratch (load, clean, chunk, embed chunks and sentences, Chroma, bm25s) and the model
    alone on the same texts, alternating ``repeats`` times; the median pair is reported. Each run builds a new
    folder (the collections are keyed by content: a rebuild in place would embed nothing); the last one is
    ``index_dir``. ``ratio`` compares wall time, ``ratio_cpu`` this process's CPU time, which other work on the
    machine disturbs less. ``model_in_pipeline_s`` is the time spent inside the embedder during the pipeline run
    itself (new texts shortest-first, ``ENCODE_SLICE`` per call, before the Chroma writes), so the rest is
    measured in the same moment as the whole."""
    runs = []
    for n in range(repeats):
        folder = index_dir if n == repeats - 1 else index_dir.with_name(f"{index_dir.name}-run{n + 1}")
        s = settings.replace(corpus_dir=corpus, index_dir=folder, chroma_host="")
        timed = _Timed(embedder)
        t0, c0 = time.perf_counter(), time.process_time()
        report = sync(s, rebuild=True, embedder=timed, show_progress=False)
        pipeline, pipeline_cpu = time.perf_counter() - t0, time.process_time() - c0
        chunk_texts, sentence_texts = embedded_texts(s)
        c0 = time.process_time()
        encode = encode_alone(embedder, chunk_texts) + encode_alone(embedder, sentence_texts)
        encode_cpu = time.process_time() - c0
        runs.append((pipeline / encode, pipeline, encode, pipeline_cpu / encode_cpu, timed.seconds))
    ratio, pipeline, encode, ratio_cpu, inside = sorted(runs)[len(runs) // 2]
    chunks, texts = read_manifest(s.index_dir).chunks, len(chunk_texts) + len(sentence_texts)
    return Built(s, {"size": None, "files": report.files, "chunks": chunks, "sentences": len(sentence_texts),
                     "encoded": texts, "embedded": report.embedded,
                     "pipeline_s": round(pipeline, 2), "model_in_pipeline_s": round(inside, 2),
                     "encode_alone_s": round(encode, 2),
                     "chunks_per_s": round(chunks / pipeline, 1), "texts_per_s": round(texts / pipeline, 1),
                     "encode_texts_per_s": round(texts / encode, 1),
                     "ratio": round(ratio, 3), "ratio_cpu": round(ratio_cpu, 3), "repeats": repeats,
                     "encode_slice": ENCODE_SLICE})


class _Precomputed:
    """Embeddings already computed for these texts (copied from the embedded index); queries use the model."""

    def __init__(self, vectors: dict[str, list[float]], embedder):
        self.vectors, self.embedder = vectors, embedder
        self.name = getattr(embedder, "name", "embedder")

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self.vectors[t] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed_query(text)


def mirror(built: Built, index_dir: Path, host: str, port: int, embedder) -> Built:
    """The same index in a Chroma server, reusing the embedded index's chunk and sentence vectors (the model is
    timed once, by ``ingest``); the seconds it takes show what writing over HTTP costs. The server's tutor
    collections are dropped first: they are keyed by content, so a smaller size's vectors would be reused."""
    index = Index.open(built.settings, embedder=embedder)
    vectors = {}
    for store in (index.store, index.sentence_store):
        got = store.get(include=["documents", "embeddings"])
        vectors.update({doc: list(vec) for doc, vec in zip(got["documents"], got["embeddings"])})
    s = built.settings.replace(index_dir=index_dir, chroma_host=host, chroma_port=port)
    client = chroma_client(s)
    for col in client.list_collections():
        name = getattr(col, "name", col)
        if name.startswith("tutor_"):
            client.delete_collection(name)
    t0 = time.perf_counter()
    sync(s, rebuild=True, embedder=_Precomputed(vectors, embedder), show_progress=False)
    seconds = time.perf_counter() - t0
    return Built(s, {"server_ingest_s": round(seconds, 2), "server_chunks_per_s": round(built.result["chunks"] / seconds, 1)})


class _QueryMemo:
    """The embedder with each query's vector computed ahead of time, so a search times the index alone."""

    def __init__(self, embedder):
        self.embedder, self.memo = embedder, {}
        self.name = getattr(embedder, "name", "embedder")

    def embed_query(self, text: str) -> list[float]:
        if text not in self.memo:
            self.memo[text] = self.embedder.embed_query(text)
        return self.memo[text]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.embed_documents(texts)


def _search(retriever: Retriever, case: dict, k: int, mode: str):
    """One search as the tutor runs it: the case's question and history, within the case's unit."""
    return retriever.search(case["question"], tuple(case.get("history", ())), k=k, mode=mode, unit=case.get("unit"))


def retrieval(stores: dict[str, Settings], embedder, questions: list[dict], k: int, repeats: int, budget_s: float,
              profile: bool = False) -> tuple[list[dict], dict | None]:
    """Warm p50/p95 of ``Retriever.search`` per store and mode, with the query embedding (what a learner waits
    for) and without it (the index alone: Chroma, bm25s, fusion; how cost grows with the corpus). Every variant
    takes its turn on each question, so background load falls on all alike. Returns rows, and a cProfile of
    hybrid search on the first store when ``profile``."""
    memo = _QueryMemo(embedder)
    retrievers, opened = {}, {}
    for name, s in stores.items():
        for variant, emb in (("included", embedder), ("excluded", memo)):
            t0 = time.perf_counter()
            retrievers[(name, variant)] = Retriever(Index.open(s, embedder=emb))
            opened[name] = round(time.perf_counter() - t0, 2)
    some = next(iter(retrievers.values()))
    for q in questions:  # query vectors for the index-only variant, plain and repaired (hybrid+query)
        history = tuple(q.get("history", ()))
        memo.embed_query(q["question"])
        memo.embed_query(some.query(q["question"], history, unit=q.get("unit")).text)
    for r in retrievers.values():  # warm: first calls load the HNSW index and the bm25s arrays
        for q in questions[:3]:
            for mode in MODES:
                _search(r, q, k, mode)
    times: dict[tuple, list[float]] = {(n, v, m): [] for n, v in retrievers for m in MODES}
    budget = Budget(budget_s)
    for _ in range(repeats):
        for q in questions:
            if not budget.left():
                break
            for (name, variant), r in retrievers.items():
                for mode in MODES:
                    t0 = time.perf_counter()
                    _search(r, q, k, mode)
                    times[(name, variant, mode)].append(ms_since(t0))
    rows = []
    for (name, variant, mode), values in times.items():
        stats = summary(values)
        rows.append({"store": name, "query_embedding": variant, "mode": mode, "n": stats["n"], "p50_ms": stats["p50"],
                     "p95_ms": stats["p95"], "mean_ms": stats["mean"], "open_s": opened[name]})
    prof = None
    if profile:
        name, first = next((n, r) for (n, v), r in retrievers.items() if v == "included")
        sample = questions[:20]
        prof = {"what": f"{len(sample)} hybrid searches, {name} Chroma, {first.index.manifest.chunks} chunks",
                **profile_top(lambda: [_search(first, q, k, "hybrid") for q in sample])}
    return rows, prof
