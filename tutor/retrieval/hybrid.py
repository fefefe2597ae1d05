"""Hybrid retrieval: dense (Chroma) and keyword (bm25s) rankings fused by weighted reciprocal rank fusion, after
query repair (spelling, acronyms, follow-ups); an optional cross-encoder reranks the fused list. It returns
numbered ``Passage`` s carrying the stored vectors of their sentences, so later stages never embed them again.

    >>> retriever = Resources(Settings.from_env()).live().retriever                       # doctest: +SKIP
    >>> query = retriever.query("What does the unit say about record keeping?")           # doctest: +SKIP
    >>> r = retriever.search_with(query, embedder.embed_query(query.text), k=3)           # doctest: +SKIP
    >>> r.query.corrected, [(p.n, round(p.score, 3)) for p in r.passages]                  # doctest: +SKIP
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field

import numpy as np

from ..errors import TutorError
from ..ingest.index import Index
from ..ingest.keyword import build_keyword_index
from ..ingest.vectors import sentence_id
from ..text import terms
from .passages import Passage
from .query import Query, QueryProcessor
from .vocabulary import Vocabulary

MODES = ("keyword", "dense", "hybrid", "hybrid+query")
RRF_K = 60  # the usual constant: ranks, not raw scores, are fused, so the scales never need calibrating


@dataclass
class Retrieval:
    query: Query
    passages: list[Passage]  # numbered 1..k, best first
    query_vector: list[float] = field(default_factory=list, repr=False)  # the search text's vector
    unit: str | None = None  # the unit searched, None for all

    @property
    def top_dense(self) -> float:
        return max((p.dense for p in self.passages), default=0.0)


class Retriever:
    """Searches one loaded index. Thread-safe for concurrent questions. It never embeds a text itself: the caller
    passes the search text's vector (``search_with``), computed once with every other vector a question needs."""

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

    def query(self, question: str, history=(), mode: str | None = None, unit: str | None = None) -> Query:
        """The search text for a question: repaired and expanded in ``hybrid+query`` mode, else as asked."""
        if (mode or self.mode) != "hybrid+query":
            return Query(question, question, question)
        return self._knowledge(self.index.unit(unit) and unit)[1].process(question, history)

    def search(self, question: str, history=(), k: int = 5, mode: str | None = None,
               unit: str | None = None) -> Retrieval:
        """``query`` then ``search_with``, embedding the search text (for callers outside the pipeline)."""
        query = self.query(question, history, mode, unit)
        return self.search_with(query, self.index.embedder.embed_query(query.text), k, mode, unit)

    def search_with(self, query: Query, vector, k: int = 5, mode: str | None = None,
                    unit: str | None = None) -> Retrieval:
        """The ``k`` best passages for a search text whose vector is given (within one unit when ``unit`` names
        one), numbered from 1, with their sentences' stored vectors. A vector store that does not answer (a Chroma
        server down) is a ``SearchUnavailable`` the learner reads, not a traceback."""
        try:
            return self._search_with(query, vector, k, mode, unit)
        except Exception as exc:
            if not unreachable(exc):
                raise
            raise SearchUnavailable("The course search is not answering just now, so this question cannot be "
                                    "answered. Please try again in a minute; if it keeps happening, tell your "
                                    "tutor.") from exc

    def _search_with(self, query: Query, vector, k: int, mode: str | None, unit: str | None) -> Retrieval:
        mode = mode or self.mode
        self.index.unit(unit)  # an unknown unit is an error that lists the known ones
        n = max(k * 4, 20)
        vector = [float(v) for v in vector]
        dense = self._dense(vector, n, unit) if mode != "keyword" else {}
        sentence = self._sentences(vector, 3 * n, unit) if mode not in ("keyword", "dense") else {}
        # the question's own words count twice, so a follow-up's history gives the topic but not the focus
        keyword = self._keyword(f"{query.text} {query.corrected}", n, unit) if mode != "dense" else {}
        fused: dict[str, float] = {}
        for weight, ranking in zip(self.weights, (dense, keyword, sentence)):
            for rank, cid in enumerate(sorted(ranking, key=ranking.get, reverse=True)):
                fused[cid] = fused.get(cid, 0.0) + weight / (RRF_K + rank + 1)
        by_id = self.index.by_id
        found = [Passage(0, by_id[cid], s, dense.get(cid, 0.0), keyword.get(cid, 0.0), sentence.get(cid, 0.0))
                 for cid, s in sorted(fused.items(), key=lambda kv: kv[1], reverse=True) if cid in by_id]
        if self._reranker_name and found:
            found = self._rerank(query.text, found[:n])  # the cross-encoder reorders the best of the fused list
        found = found[:k]
        filled = self._similarity(vector, [p.chunk.id for p in found if p.chunk.id not in dense])
        for i, p in enumerate(found, 1):  # the scope decision needs every passage's similarity, keyword-only too
            p.n, p.dense = i, filled.get(p.chunk.id, p.dense)
        self._attach_vectors(found)
        return Retrieval(query=query, passages=found, query_vector=vector, unit=unit)

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

    def _attach_vectors(self, passages: list[Passage]) -> None:
        """Each passage's vector and its sentences' vectors, as ingest stored them (one read of each collection)."""
        if self.index.sentence_store is None or not passages:
            return
        ids = {p.chunk.id: [sentence_id(p.chunk.source, s) for s in p.chunk.sentence_texts()] for p in passages}
        wanted = sorted({i for group in ids.values() for i in group})
        got = self.index.sentence_store.get(ids=wanted, include=["embeddings"])
        stored = {i: np.asarray(v, dtype=np.float32) for i, v in zip(got["ids"], got["embeddings"])}
        chunks = self.index.store.get(ids=[p.chunk.id for p in passages], include=["embeddings"])
        own = {i: np.asarray(v, dtype=np.float32) for i, v in zip(chunks["ids"], chunks["embeddings"])}
        for p in passages:
            p.vector = own.get(p.chunk.id)
            if all(i in stored for i in ids[p.chunk.id]):
                p.vectors = np.stack([stored[i] for i in ids[p.chunk.id]]) if ids[p.chunk.id] else None

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

    def _rerank(self, text: str, found: list[Passage]) -> list[Passage]:
        if self._reranker is None:
            from sentence_transformers import CrossEncoder

            self._reranker = CrossEncoder(self._reranker_name, device="cpu")
        scores = self._reranker.predict([(text, p.chunk.text) for p in found])
        for p, s in zip(found, scores):
            p.score = 1 / (1 + math.exp(-float(s)))
        return sorted(found, key=lambda p: p.score, reverse=True)


class SearchUnavailable(TutorError):
    """The vector store (a Chroma server) did not answer."""


def unreachable(exc: BaseException) -> bool:
    """Whether ``exc`` says a server could not be reached (a connection refused or dropped, a timeout), as
    chromadb's HTTP client raises it, rather than a fault in this code."""
    import httpx

    for _ in range(10):  # the exception and what it was raised from, a few levels down
        if exc is None:
            return False
        # transport errors only: a server that answered with an error status (httpx.HTTPStatusError) is a fault to
        # show as one, not a server to wait for
        if isinstance(exc, (ConnectionError, TimeoutError, httpx.TransportError)) or \
                type(exc).__module__.split(".")[0] == "httpcore":
            return True
        if "could not connect to" in str(exc).lower():
            return True
        exc = exc.__cause__ or exc.__context__
    return False

