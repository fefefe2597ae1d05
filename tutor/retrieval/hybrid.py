"""Hybrid retrieval: dense (Chroma) and keyword (bm25s) rankings fused by weighted reciprocal rank fusion,
after query repair (spelling, acronyms, follow-ups); an optional cross-encoder reranks the fused list.

    >>> retriever = get_retriever(Settings.from_env())                          # doctest: +SKIP
    >>> r = retriever.search("What does the unit say about record keeping?", k=3)  # doctest: +SKIP
    >>> r.query.corrected, [round(h.score, 3) for h in r.hits]                   # doctest: +SKIP
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field

import numpy as np

from ..ingest.chunk import Chunk
from ..ingest.index import Index, read_manifest
from ..ingest.keyword import build_keyword_index
from ..settings import Settings
from ..text import terms
from .query import Query, QueryProcessor
from .vocabulary import Vocabulary

MODES = ("keyword", "dense", "hybrid", "hybrid+query")
RRF_K = 60  # the usual constant: ranks, not raw scores, are fused, so the scales never need calibrating


@dataclass
class Hit:
    chunk: Chunk
    score: float  # fused score, higher is better
    dense: float = 0.0  # cosine similarity of the query to the chunk
    keyword: float = 0.0  # bm25 score
    sentence: float = 0.0  # cosine similarity of the query to the chunk's closest sentence


@dataclass
class Retrieval:
    query: Query
    hits: list[Hit]
    query_vector: list[float] = field(default_factory=list, repr=False)
    unit: str | None = None  # the unit searched, None for all

    @property
    def top_dense(self) -> float:
        return max((h.dense for h in self.hits), default=0.0)


class Retriever:
    """Searches one loaded index. Thread-safe for concurrent questions."""

    def __init__(self, index: Index, mode: str = "hybrid+query", reranker: str = "",
                 weights: tuple[float, float, float] = (1.0, 1.0, 1.0)):
        if mode not in MODES:
            raise ValueError(f"Unknown retrieval mode {mode!r}. Known modes: {', '.join(MODES)}")
        self.index, self.mode = index, mode
        self.weights = weights  # of the dense, keyword and closest-sentence rankings in the fusion
        self._known: dict[str | None, tuple[Vocabulary, QueryProcessor]] = {}
        self._unit_keyword: dict[str, tuple] = {}
        self._reranker_name = reranker
        self._reranker = None
        self._lock = threading.Lock()

    def _knowledge(self, unit: str | None) -> tuple[Vocabulary, QueryProcessor]:
        with self._lock:
            if unit not in self._known:
                vocabulary = Vocabulary.build([c.text for c in self.index.chunks_of(unit)])
                self._known[unit] = (vocabulary, QueryProcessor(vocabulary))
            return self._known[unit]

    def vocabulary(self, unit: str | None = None) -> Vocabulary:
        """What one unit (or, for None, the whole course) knows: its words, acronyms and names."""
        return self._knowledge(self.index.unit(unit) and unit)[0]

    def queries(self, unit: str | None = None) -> QueryProcessor:
        return self._knowledge(self.index.unit(unit) and unit)[1]

    def _dense(self, vector: list[float], n: int, unit: str | None) -> dict[str, float]:
        where = {"unit": unit} if unit else None
        results = self.index.store.similarity_search_by_vector_with_relevance_scores(vector, k=n, filter=where)
        return {doc.id: 1.0 - distance for doc, distance in results}  # (langchain-chroma returns the distance)

    def _sentences(self, vector: list[float], n: int, unit: str | None) -> dict[str, float]:
        """{chunk id: similarity of its closest sentence} over the ``n`` closest sentences."""
        if self.index.sentence_store is None:
            return {}
        where = {"unit": unit} if unit else None
        results = self.index.sentence_store.similarity_search_by_vector_with_relevance_scores(vector, k=n, filter=where)
        best: dict[str, float] = {}
        for doc, distance in results:
            for cid in self.index.chunks_of_sentence.get(doc.id, ()):
                best[cid] = max(best.get(cid, -1.0), 1.0 - distance)
        return best

    def _similarity(self, vector: list[float], ids: list[str]) -> dict[str, float]:
        """Cosine similarity of the query to these chunks only, from their stored vectors."""
        if not ids:
            return {}
        got = self.index.store.get(ids=ids, include=["embeddings"])
        q = np.asarray(vector, dtype=float)
        out = {}
        for cid, vec in zip(got["ids"], got["embeddings"]):
            v = np.asarray(vec, dtype=float)
            out[cid] = float(q @ v / ((np.linalg.norm(q) * np.linalg.norm(v)) or 1.0))
        return out

    def _keyword(self, text: str, n: int, unit: str | None) -> dict[str, float]:
        model, chunks = self._keyword_index(unit)
        tokens = [t for t in terms(text) if t in model.vocab_dict]
        if not tokens:
            return {}
        with self._lock:  # bm25s keeps per-call state; serialise it (it takes microseconds)
            docs, scores = model.retrieve([tokens], k=min(n, len(chunks)), show_progress=False, n_threads=1)
        return {chunks[int(i)].id: float(s) for i, s in zip(docs[0], scores[0]) if s > 0}

    def _keyword_index(self, unit: str | None):
        """The course's bm25s index, or one unit's (built on first use): a unit's word weights come from that
        unit alone, as they would if it were the only unit indexed."""
        if not unit:
            return self.index.keyword, self.index.chunks
        with self._lock:
            if unit not in self._unit_keyword:
                chunks = self.index.chunks_of(unit)
                self._unit_keyword[unit] = (build_keyword_index(chunks), chunks)
            return self._unit_keyword[unit]

    def search(self, question: str, history: tuple[str, ...] | list[str] = (), k: int = 5,
               mode: str | None = None, unit: str | None = None) -> Retrieval:
        """The ``k`` best passages for a question (within one unit when ``unit`` names one)."""
        mode = mode or self.mode
        self.index.unit(unit)  # an unknown unit is an error that lists the known ones
        query = (self.queries(unit).process(question, history) if mode == "hybrid+query"
                 else Query(question, question, question))
        n = max(k * 4, 20)
        vector = self.index.embedder.embed_query(query.text)
        dense = self._dense(vector, n, unit) if mode != "keyword" else {}
        sentence = self._sentences(vector, 3 * n, unit) if mode not in ("keyword", "dense") else {}
        # the question's own words count twice, so a follow-up's history gives the topic but not the focus
        keyword = self._keyword(f"{query.text} {query.corrected}", n, unit) if mode != "dense" else {}
        fused: dict[str, float] = {}
        for weight, ranking in zip(self.weights, (dense, keyword, sentence)):
            for rank, cid in enumerate(sorted(ranking, key=ranking.get, reverse=True)):
                fused[cid] = fused.get(cid, 0.0) + weight / (RRF_K + rank + 1)
        by_id = self.index.by_id
        hits = [Hit(by_id[cid], s, dense.get(cid, 0.0), keyword.get(cid, 0.0), sentence.get(cid, 0.0))
                for cid, s in sorted(fused.items(), key=lambda kv: kv[1], reverse=True) if cid in by_id]
        if self._reranker_name and hits:
            hits = self._rerank(query.text, hits[:n])  # the cross-encoder reorders the best of the fused list
        hits = hits[:k]
        filled = self._similarity(vector, [h.chunk.id for h in hits if h.chunk.id not in dense])
        for h in hits:  # the scope decision needs every hit's similarity, also of hits found by keyword alone
            h.dense = filled.get(h.chunk.id, h.dense)
        return Retrieval(query=query, hits=hits, query_vector=vector, unit=unit)

    def _rerank(self, text: str, hits: list[Hit]) -> list[Hit]:
        if self._reranker is None:
            from sentence_transformers import CrossEncoder

            self._reranker = CrossEncoder(self._reranker_name, device="cpu")
        scores = self._reranker.predict([(text, h.chunk.text) for h in hits])
        for h, s in zip(hits, scores):
            h.score = 1 / (1 + math.exp(-float(s)))
        return sorted(hits, key=lambda h: h.score, reverse=True)


_cache: dict[tuple, Retriever] = {}
_cache_lock = threading.Lock()


def get_retriever(settings: Settings) -> Retriever:
    """The process-wide retriever for these settings, reloaded when ``tutor ingest`` swaps in a new index."""
    manifest = read_manifest(settings.index_dir)
    key = (str(settings.index_dir), settings.chroma_host, settings.chroma_port, settings.reranker,
           manifest and manifest["generation"])
    with _cache_lock:
        if key not in _cache:
            _cache.clear()
            _cache[key] = Retriever(Index.open(settings), reranker=settings.reranker,
                                    weights=(settings.dense_weight, settings.keyword_weight, settings.sentence_weight))
        return _cache[key]
