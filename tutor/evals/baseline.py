"""The naive baseline every figure is read against: what the simple approach gets on the same cases.

Hybrid retrieval (the same embedding model, bm25s, reciprocal rank fusion) over fixed windows of two
consecutive sentences of each unit's text, no query repair, no guards or scope checks: every question is
answered with the two sentences of the best window, cited. It shares nothing with the tutor but the embedding
model and the sentence splitter, so it cannot inherit the tutor's tuning.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ..ingest.chunk import chunk_document
from ..ingest.load import load_corpus
from ..text import terms

RRF_K = 60
WINDOW = 2


@dataclass(frozen=True)
class Window:
    id: str
    text: str  # clean text of the sentences, as the baseline reads and quotes them
    raw: str  # the raw passage they come from


class Baseline:
    name = "naive baseline"

    def __init__(self, corpus_dir, embedder):
        self.embedder, self._units = embedder, {}
        self.windows = {}
        for doc in load_corpus(corpus_dir).docs:
            sentences = chunk_document(doc, size=1, overlap=0)  # one sentence each, with its raw span
            for i in range(max(1, len(sentences) - WINDOW + 1)):
                part = sentences[i:i + WINDOW]
                raw = doc.raw_text[part[0].raw_start:part[-1].raw_end]
                self.windows.setdefault(doc.unit, []).append(
                    Window(f"w-{doc.unit}-{len(self.windows.get(doc.unit, []))}", " ".join(c.text for c in part), raw))

    def _unit(self, unit: str):
        if unit not in self._units:
            import bm25s

            windows = self.windows[unit]
            vectors = np.asarray(self.embedder.embed_documents([w.text for w in windows]), dtype=np.float32)
            keyword = bm25s.BM25()
            keyword.index([terms(w.text) or ["_"] for w in windows], show_progress=False)
            self._units[unit] = (windows, vectors, keyword)
        return self._units[unit]

    def search(self, question: str, unit: str, k: int = 5) -> list[Window]:
        windows, vectors, keyword = self._unit(unit)
        dense = np.argsort(-(vectors @ np.asarray(self.embedder.embed_query(question), dtype=np.float32)))
        fused = {int(i): 1 / (RRF_K + rank + 1) for rank, i in enumerate(dense[:4 * k])}
        tokens = [t for t in terms(question) if t in keyword.vocab_dict]
        if tokens:
            docs, scores = keyword.retrieve([tokens], k=min(4 * k, len(windows)), show_progress=False, n_threads=1)
            for rank, (i, s) in enumerate(zip(docs[0], scores[0])):
                if s > 0:
                    fused[int(i)] = fused.get(int(i), 0.0) + 1 / (RRF_K + rank + 1)
        return [windows[i] for i in sorted(fused, key=fused.get, reverse=True)[:k]]

    def ask(self, question: str, history=(), unit: str = "") -> dict:
        """The answer in the shape of ``tutor ask --json``."""
        t0 = time.perf_counter()
        hits = self.search(question, unit)
        best = hits[0]
        cite = {"n": 1, "chunk_id": best.id, "text": best.raw, "display": best.text}
        return {"status": "answered", "answer": f"{best.text} [1]", "backend": self.name, "reason": "",
                "citations": [cite], "sentences": [{"text": best.text, "citations": [1], "support": 1.0,
                                                    "supported": True, "evidence": best.text}],
                "retrieved": [{"chunk_id": w.id, "text": w.text} for w in hits],
                "timings_ms": {"total": round((time.perf_counter() - t0) * 1000, 1)}, "notice": ""}

    def raw_by_id(self) -> dict[str, str]:
        return {w.id: w.raw for ws in self.windows.values() for w in ws}
