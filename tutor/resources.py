"""What answering needs that is loaded once and shared by concurrent questions (haystack's ``warm_up``): the live
index with its retriever and vector cache (reloaded when ``tutor ingest`` swaps in a new generation), the trained
models, the answer backends and the span proposer. The pipeline holds one ``Resources``; trainers, evals, the
bench and the app use the same object instead of reaching into the pipeline.

>>> res = Resources(Settings.from_env())            # doctest: +SKIP
>>> live = res.live()    # reads manifest.json once per index generation  # doctest: +SKIP
>>> live.retriever.search("What is X?").passages     # doctest: +SKIP
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .answering.base import Backend
from .artefacts import fitted_or_default, load_json_model
from .errors import TutorError
from .guards.policy import Policy, load_policy
from .guards.safeguarding import Classifier, load_classifier
from .guards.scope import MODEL as SCOPE_MODEL, REBUILD as SCOPE_REBUILD, ScopeModel
from .ingest.embed import Vectors, get_embedder
from .ingest.index import Index, Manifest, manifest_stamp, read_manifest
from .plugins import backends
from .retrieval.hybrid import Retriever
from .retrieval.ranking import MODEL as RANKING_MODEL, REBUILD as RANKING_REBUILD, SentenceRanker
from .retrieval.reader import FOLDER as READER_FOLDER, Reader
from .retrieval.reader_rank import ReaderRanker, load_reader_ranker

DEFAULT_SPAN = "smollm2"  # chosen on the development units against the reader's span head (README, Evaluation)
from .settings import Settings


@dataclass
class Live:
    """One index generation, loaded: its manifest, index, retriever and the cache of text vectors."""

    manifest: Manifest
    index: Index
    retriever: Retriever
    vectors: Vectors  # text -> unit vector through the index's embedder; one encoder call per batch of new texts


class Resources:
    """Owns the loaded models and the live index. Thread-safe; everything loads on first use."""

    def __init__(self, settings: Settings, retriever: Retriever | None = None):
        self.settings = settings
        self._fixed = retriever  # tests and tools may pin one retriever (and so one index)
        self._lock = threading.RLock()
        self._stamp: tuple | None = None
        self._live: Live | None = None
        self._models: dict[str, object] = {}
        self._backends: dict[str, Backend] = {}
        self.manifest_reads = 0  # how many times manifest.json was read (once per generation)

    def live(self) -> Live:
        """The live generation, reloaded only when manifest.json was swapped since the last look (a stat, not a
        read, per question)."""
        if self._fixed is not None:
            with self._lock:
                if self._live is None:
                    index = self._fixed.index
                    self._live = Live(index.manifest, index, self._fixed, Vectors(index.embedder.embed_documents))
                return self._live
        stamp = manifest_stamp(self.settings.index_dir)
        with self._lock:
            if self._live is None or stamp != self._stamp:
                self._live = self._load()
                self._stamp = stamp
            return self._live

    def _load(self) -> Live:
        from .errors import NoIndexError
        from .ingest.index import _display

        manifest = read_manifest(self.settings.index_dir)
        self.manifest_reads += 1
        if manifest is None:
            raise NoIndexError(_display(self.settings.index_dir))
        index = Index.open(self.settings, get_embedder(manifest.embed_setting), manifest)
        s = self.settings
        retriever = Retriever(index, reranker=s.reranker, weights=(s.dense_weight, s.keyword_weight, s.sentence_weight))
        return Live(manifest, index, retriever, Vectors(index.embedder.embed_documents))

    def _model(self, key: str, load: Callable[[], object]):
        with self._lock:
            if key not in self._models:
                self._models[key] = load()
            return self._models[key]

    def ranker(self) -> SentenceRanker | ReaderRanker:
        """The sentence ranking (TUTOR_RANKING): the reader's, or the feature regression's."""
        if self.settings.ranking == "reader":
            return self._model("ranker", lambda: load_reader_ranker(READER_FOLDER, self.reader()))
        return self._model("ranker", lambda: load_json_model(self.fitted(RANKING_MODEL), SentenceRanker,
                                                             "sentence ranking model", RANKING_REBUILD))

    def fitted(self, path: Path) -> Path:
        """A model that reads the index encoder's similarities: the one fitted to TUTOR_EMBED_MODEL where it was
        trained (``name.<encoder>.json``), else the default."""
        return fitted_or_default(path, self.settings.embed_model)

    def reader(self) -> Reader:
        return self._model("reader", Reader.load)

    def scope(self) -> ScopeModel:
        return self._model("scope", lambda: load_json_model(self.fitted(SCOPE_MODEL), ScopeModel, "scope model",
                                                            SCOPE_REBUILD))

    def safeguarding(self) -> Classifier:
        return self._model("safeguarding", load_classifier)

    def backend(self, name: str) -> Backend:
        with self._lock:
            if name not in self._backends:
                self._backends[name] = backends.create(name, self.settings)
            return self._backends[name]

    def span(self):
        """The direct-answer span proposer (TUTOR_SPAN_MODEL): the reader's span head (empty, or "reader"), the
        bundled SmolLM2 ("smollm2") or another GGUF file; None when "off"."""
        choice = self.settings.span_model or DEFAULT_SPAN
        if choice == "off":
            return None
        from .answering.span import ReaderSpan, SpanProposer

        if choice == "reader":
            return self._model("span", lambda: ReaderSpan(self.reader()))
        return self._model("span", lambda: SpanProposer("" if choice == "smollm2" else choice))

    def policy(self, unit: str | None) -> Policy:
        """The safeguarding policy: the unit's (unit.toml), else the deployment's (TUTOR_SAFEGUARDING_POLICY)."""
        name = self.settings.safeguarding_policy
        try:
            chosen = self.live().index.units.get(unit or "")
            name = (chosen and chosen.safeguarding_policy) or name
        except TutorError:
            pass  # no index yet: signposting never needs one
        return load_policy(name)


