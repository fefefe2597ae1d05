"""The index: chunks embedded into Chroma (through langchain-chroma) plus a bm25s keyword index, kept in step.

Layout of ``index_dir``::

    manifest.json              the live generation: files and their hashes, chunk ids, model, counts
    generations/<gen>/         chunks.jsonl (the chunk store) and keyword/ (bm25s) for one build
    chroma/                    embedded Chroma data (unused when TUTOR_CHROMA_HOST names a server)

Every ingest writes a new generation aside (a new Chroma collection ``tutor_<gen>`` and a new folder), copying
the embeddings of unchanged chunks from the live one, and only then swaps ``manifest.json`` atomically. An ingest
that fails halfway leaves the previous generation live and complete.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from .chunk import Chunk, chunk_document
from .errors import NoIndexError, TutorError
from .load import load_corpus
from .settings import Settings
from .text import terms

log = logging.getLogger("tutor")
MANIFEST = "manifest.json"
FORMAT = 1


def chroma_client(settings: Settings):
    """An embedded PersistentClient under index_dir, or an HttpClient when TUTOR_CHROMA_HOST is set."""
    os.environ["ANONYMIZED_TELEMETRY"] = "False"
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        try:
            return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
        except Exception as exc:  # noqa: BLE001
            raise TutorError(f"Cannot reach the Chroma server at {settings.chroma_host}:{settings.chroma_port} ({exc}). "
                             "Start it with: chroma run --path DIR --host HOST --port PORT, or unset TUTOR_CHROMA_HOST.") from None
    return chromadb.PersistentClient(path=str(settings.index_dir / "chroma"), settings=chroma_settings)


def vector_store(settings: Settings, collection: str, embedder, client=None):
    from langchain_chroma import Chroma

    return Chroma(collection_name=collection, embedding_function=embedder, client=client or chroma_client(settings),
                  collection_metadata={"hnsw:space": "cosine"})


def read_manifest(index_dir: Path) -> dict | None:
    path = index_dir / MANIFEST
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    tmp.write_text(text, encoding="utf-8")
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _bm25s():
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets itself to DEBUG on import
    return bm25s


def save_keyword_index(chunks: list[Chunk], folder: Path) -> None:
    bm25s = _bm25s()

    model = bm25s.BM25()
    model.index([terms(c.text) or ["_"] for c in chunks], show_progress=False)
    model.save(str(folder))


def load_keyword_index(folder: Path):
    return _bm25s().BM25.load(str(folder))


def load_chunks(folder: Path) -> list[Chunk]:
    with open(folder / "chunks.jsonl", encoding="utf-8") as fh:
        return [Chunk.from_dict(json.loads(line)) for line in fh if line.strip()]


@dataclass
class SyncReport:
    files: int = 0
    files_new: int = 0
    files_changed: int = 0
    files_removed: int = 0
    files_unchanged: int = 0
    added: int = 0  # chunks of new files
    replaced: int = 0  # new chunks in changed files
    removed: int = 0  # chunks gone (removed files, or replaced text in changed files)
    unchanged: int = 0  # chunks carried over with their embeddings
    embedded: int = 0  # texts sent to the embedding model
    seconds: float = 0.0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    generation: str = ""
    up_to_date: bool = False

    def line(self) -> str:
        if self.up_to_date:
            return f"Index is up to date: {self.files} files, {self.unchanged} chunks ({self.seconds:.1f} s)"
        return (f"Indexed {self.files} files ({self.files_new} new, {self.files_changed} changed, "
                f"{self.files_removed} removed, {self.files_unchanged} unchanged): chunks {self.added} added, "
                f"{self.replaced} replaced, {self.removed} removed, {self.unchanged} unchanged "
                f"in {self.seconds:.1f} s" + (f"; {len(self.skipped)} files skipped" if self.skipped else ""))


ENCODE_SLICE = 256  # texts per call to the embedding model during ingest (one progress step each)
WRITE_BATCH = 256  # chunks per Chroma write


class _CachedEmbeddings:
    """Embeddings for the Chroma writes: every vector was computed (or carried over) before writing starts."""

    def __init__(self, cache: dict[str, list[float]]):
        self.cache = cache

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self.cache[t] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        raise TutorError("internal: the ingest store is write-only")


def sync(settings: Settings, rebuild: bool = False, embedder=None, show_progress: bool | None = None,
         fail_after_batches: int | None = None) -> SyncReport:
    """Bring the index in line with the corpus folder; see the module docstring for the safe-write scheme.

    ``fail_after_batches`` exists for tests: it raises after that many batches were written to the new
    collection, to prove an interrupted ingest leaves the live index intact.
    """
    from .embed import get_embedder, model_label

    t0 = time.perf_counter()
    index_dir = settings.index_dir
    if not settings.corpus_dir.is_dir():
        raise TutorError(f"Corpus folder {settings.corpus_dir} does not exist. Create it or pass --corpus DIR.")
    docs, skipped = load_corpus(settings.corpus_dir)
    if not docs:
        raise TutorError(f"Nothing could be indexed in {settings.corpus_dir}: no readable .txt, .md, .pdf, .docx or .html files.")
    model_name = getattr(embedder, "name", None) or model_label(settings.embed_model)
    old = None if rebuild else read_manifest(index_dir)
    if old and (old.get("embed_model") != model_name or old.get("chunking") != [settings.chunk_size, settings.chunk_overlap]
                or old.get("format") != FORMAT
                or old.get("chroma") != ("server" if settings.chroma_host else "embedded")):
        log.warning("embedding model, chunking or Chroma location changed since the last build: re-embedding everything")
        old = None
    old_chunks = {c.id: c for c in load_chunks(index_dir / "generations" / old["generation"])} if old else {}

    report = SyncReport(files=len(docs), skipped=skipped)
    chunks: list[Chunk] = []
    old_files = old["files"] if old else {}
    for doc in docs:
        prev = old_files.get(doc.source)
        if prev and prev["sha256"] == doc.sha256:
            report.files_unchanged += 1
            chunks.extend(old_chunks[i] for i in prev["chunk_ids"])
            continue
        new = chunk_document(doc, settings.chunk_size, settings.chunk_overlap)
        if prev:
            report.files_changed += 1
            before = set(prev["chunk_ids"])
            report.replaced += sum(1 for c in new if c.id not in before)
        else:
            report.files_new += 1
            report.added += len(new)
        chunks.extend(new)
    current_sources = {d.source for d in docs}
    report.files_removed = sum(1 for s in old_files if s not in current_sources)
    new_ids = {c.id for c in chunks}
    report.unchanged = len(new_ids & set(old_chunks))
    report.removed = len(set(old_chunks) - new_ids)
    if old and report.files_unchanged == len(docs) and not report.files_removed:
        report.generation, report.up_to_date = old["generation"], True
        report.seconds = time.perf_counter() - t0
        return report
    embedder = embedder or get_embedder(settings.embed_model)
    client = chroma_client(settings)

    generation = time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    gen_dir = index_dir / "generations" / generation
    gen_dir.mkdir(parents=True, exist_ok=True)
    collection = f"tutor_{generation.replace('-', '_')}"
    try:
        cache: dict[str, list[float]] = {}
        carried = [c.id for c in chunks if c.id in old_chunks]
        if carried:
            old_store = vector_store(settings, old["collection"], embedder, client)
            for i in range(0, len(carried), 500):
                got = old_store.get(ids=carried[i:i + 500], include=["embeddings", "documents"])
                cache.update({doc: list(vec) for doc, vec in zip(got["documents"], got["embeddings"])})
        # Encode every new text before writing, shortest first, in large slices: sentence-transformers pads each
        # batch to its longest text and sorts by length only within one call, so feeding it Chroma's write
        # batches (mixed lengths, small calls) made ingest ~1.4x the model's own time at 100x the unit.
        todo = sorted({c.text for c in chunks} - set(cache), key=len)
        bar = _progress_bar(len(todo), show_progress)
        for i in range(0, len(todo), ENCODE_SLICE):
            part = todo[i:i + ENCODE_SLICE]
            cache.update(zip(part, embedder.embed_documents(part)))
            bar.update(len(part))
        bar.close()
        report.embedded = len(todo)
        store = vector_store(settings, collection, _CachedEmbeddings(cache), client)
        for n, i in enumerate(range(0, len(chunks), WRITE_BATCH)):
            part = chunks[i:i + WRITE_BATCH]
            store.add_texts([c.text for c in part], metadatas=[_metadata(c) for c in part], ids=[c.id for c in part])
            if fail_after_batches is not None and n + 1 >= fail_after_batches:
                raise RuntimeError("simulated failure during ingest")
        with open(gen_dir / "chunks.jsonl", "w", encoding="utf-8") as fh:
            for c in chunks:
                fh.write(json.dumps(c.to_dict(), ensure_ascii=False) + "\n")
        save_keyword_index(chunks, gen_dir / "keyword")
        files = {}
        for doc in docs:
            files[doc.source] = {"sha256": doc.sha256, "title": doc.title, "meta": doc.meta,
                                 "chunk_ids": [c.id for c in chunks if c.source == doc.source]}
        report.seconds = time.perf_counter() - t0
        report.generation = generation
        manifest = {"format": FORMAT, "generation": generation, "collection": collection, "embed_model": model_name,
                    "embed_setting": settings.embed_model, "chunking": [settings.chunk_size, settings.chunk_overlap],
                    "built_at": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "chunks": len(chunks), "files": files,
                    "chroma": "server" if settings.chroma_host else "embedded"}
        _write_atomic(index_dir / MANIFEST, json.dumps(manifest, indent=1))
    except BaseException:
        _drop(client, collection, gen_dir)
        raise
    if old:
        _drop(client, old["collection"], index_dir / "generations" / old["generation"])
    _sweep(client, index_dir, keep=generation)
    return report


def _metadata(c: Chunk) -> dict:
    meta = {"source": c.source, "title": c.title, "paragraph": c.paragraph, "raw_start": c.raw_start,
            "raw_end": c.raw_end, "sentence_start": c.sentence_start, "sentence_end": c.sentence_end}
    meta.update({k: str(v) for k, v in c.meta.items()})
    return meta


def _progress_bar(total: int, show: bool | None):
    from tqdm import tqdm

    disable = (not sys.stderr.isatty()) if show is None else not show
    return tqdm(total=total, desc="Embedding chunks", unit="chunk", disable=disable or total == 0)


def _drop(client, collection: str, folder: Path) -> None:
    try:
        client.delete_collection(collection)
    except Exception:  # noqa: BLE001 - it may never have been created
        pass
    shutil.rmtree(folder, ignore_errors=True)


def _sweep(client, index_dir: Path, keep: str) -> None:
    """Remove generations left behind by interrupted ingests."""
    keep_collection = f"tutor_{keep.replace('-', '_')}"
    try:
        for col in client.list_collections():
            name = getattr(col, "name", col)
            if name.startswith("tutor_") and name != keep_collection:
                client.delete_collection(name)
    except Exception:  # noqa: BLE001 - a shared server may refuse; stale collections are harmless
        pass
    for folder in (index_dir / "generations").iterdir():
        if folder.name != keep:
            shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Index:
    """A loaded, read-only view of the live generation: chunk store, keyword index and vector store."""

    settings: Settings
    manifest: dict
    chunks: list[Chunk]
    keyword: object
    store: object
    embedder: object

    @classmethod
    def open(cls, settings: Settings, embedder=None) -> "Index":
        from .embed import get_embedder

        manifest = read_manifest(settings.index_dir)
        if manifest is None:
            raise NoIndexError(_display(settings.index_dir))
        gen_dir = settings.index_dir / "generations" / manifest["generation"]
        embedder = embedder or get_embedder(manifest.get("embed_setting", settings.embed_model))
        store = vector_store(settings, manifest["collection"], embedder)
        return cls(settings, manifest, load_chunks(gen_dir), load_keyword_index(gen_dir / "keyword"), store, embedder)

    @property
    def by_id(self) -> dict[str, Chunk]:
        if not hasattr(self, "_by_id"):
            self._by_id = {c.id: c for c in self.chunks}
        return self._by_id


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve())) + "/"
    except ValueError:
        return str(path) + "/"


def status(settings: Settings) -> dict:
    manifest = read_manifest(settings.index_dir)
    if manifest is None:
        raise NoIndexError(_display(settings.index_dir))
    return {
        "index": str(settings.index_dir),
        "chroma": settings.chroma_mode,
        "collection": manifest["collection"],
        "embed_model": manifest["embed_model"],
        "built_at": manifest["built_at"],
        "chunks": manifest["chunks"],
        "chunking": {"size": manifest["chunking"][0], "overlap": manifest["chunking"][1]},
        "sources": {src: {"title": f["title"], "chunks": len(f["chunk_ids"]), **f.get("meta", {})}
                    for src, f in manifest["files"].items()},
    }
