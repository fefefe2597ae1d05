"""Incremental, safe ingest: bring the index in line with the corpus folder.

Every ingest writes a new generation aside (a new Chroma collection ``tutor_<gen>`` and a new folder), copying
the embeddings of unchanged chunks from the live one, and only then swaps ``manifest.json`` atomically. An ingest
that fails halfway leaves the previous generation live and complete.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import shutil
import sys
import time
import uuid
from pathlib import Path

from ..errors import TutorError
from ..settings import Settings
from .chunk import Chunk, chunk_document
from .index import FORMAT, MANIFEST, chroma_client, load_chunks, read_manifest, vector_store, write_atomic
from .keyword import save_keyword_index
from .load import Corpus, load_corpus
from .report import SyncReport
from .units import Unit

log = logging.getLogger("tutor")


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
    corpus = _load(settings)
    docs, units = corpus.docs, {slug: _unit_entry(settings.corpus_dir, u) for slug, u in corpus.units.items()}
    model_name = getattr(embedder, "name", None) or model_label(settings.embed_model)
    old = None if rebuild else _reusable(read_manifest(settings.index_dir), settings, model_name)
    old_chunks = {c.id: c for c in load_chunks(settings.index_dir / "generations" / old["generation"])} if old else {}
    report = SyncReport(files=len(docs), skipped=corpus.skipped, units=len(units))
    chunks = _plan(settings, docs, old, old_chunks, report)
    if old and report.files_unchanged == len(docs) and not report.files_removed and old.get("units") == units:
        report.generation, report.up_to_date = old["generation"], True
        report.seconds = time.perf_counter() - t0
        return report
    embedder = embedder or get_embedder(settings.embed_model)
    client = chroma_client(settings)
    generation = time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    gen_dir = settings.index_dir / "generations" / generation
    gen_dir.mkdir(parents=True, exist_ok=True)
    collection = f"tutor_{generation.replace('-', '_')}"
    try:
        cache = _carried_vectors(settings, old, chunks, old_chunks, embedder, client)
        report.embedded = _encode(chunks, cache, embedder, show_progress)
        _write_store(settings, collection, client, chunks, cache, fail_after_batches)
        _write_generation(gen_dir, chunks)
        report.seconds = time.perf_counter() - t0
        report.generation = generation
        manifest = {"format": FORMAT, "generation": generation, "collection": collection, "embed_model": model_name,
                    "embed_setting": settings.embed_model, "chunking": [settings.chunk_size, settings.chunk_overlap],
                    "built_at": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "chunks": len(chunks),
                    "units": units, "files": _files(docs, chunks),
                    "chroma": "server" if settings.chroma_host else "embedded"}
        write_atomic(settings.index_dir / MANIFEST, json.dumps(manifest, indent=1))
    except BaseException:
        _drop(client, collection, gen_dir)
        raise
    if old:
        _drop(client, old["collection"], settings.index_dir / "generations" / old["generation"])
    _sweep(client, settings.index_dir, keep=generation)
    return report


def _load(settings: Settings) -> Corpus:
    if not settings.corpus_dir.is_dir():
        raise TutorError(f"Corpus folder {settings.corpus_dir} does not exist. Create it or pass --corpus DIR.")
    corpus = load_corpus(settings.corpus_dir)
    if not corpus.docs:
        raise TutorError(f"Nothing could be indexed in {settings.corpus_dir}: no readable .txt, .md, .pdf, .docx or .html files.")
    return corpus


def _unit_entry(corpus_dir: Path, unit: Unit) -> dict:
    """What the manifest records of a unit: its unit.toml fields and its attribution text (shown in the app)."""
    entry = unit.to_dict()
    path = corpus_dir / unit.slug / unit.attribution
    entry["attribution_text"] = path.read_text(encoding="utf-8", errors="replace") if unit.attribution and path.is_file() else ""
    return entry


def _reusable(old: dict | None, settings: Settings, model_name: str) -> dict | None:
    """The live manifest when its chunks and vectors can be reused, else None (everything is re-embedded)."""
    if old and (old.get("embed_model") != model_name or old.get("chunking") != [settings.chunk_size, settings.chunk_overlap]
                or old.get("format") != FORMAT
                or old.get("chroma") != ("server" if settings.chroma_host else "embedded")):
        log.warning("embedding model, chunking or Chroma location changed since the last build: re-embedding everything")
        return None
    return old


def _plan(settings: Settings, docs, old: dict | None, old_chunks: dict[str, Chunk], report: SyncReport) -> list[Chunk]:
    """The new generation's chunks: unchanged files keep theirs, new and changed files are chunked again."""
    chunks: list[Chunk] = []
    old_files = old["files"] if old else {}
    for doc in docs:
        prev = old_files.get(doc.source)
        if prev and prev["sha256"] == doc.sha256 and prev.get("unit") == doc.unit:
            report.files_unchanged += 1
            chunks.extend(dataclasses.replace(old_chunks[i], title=doc.title) for i in prev["chunk_ids"])
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
    sources = {d.source for d in docs}
    report.files_removed = sum(1 for s in old_files if s not in sources)
    new_ids = {c.id for c in chunks}
    report.unchanged = len(new_ids & set(old_chunks))
    report.removed = len(set(old_chunks) - new_ids)
    return chunks


def _carried_vectors(settings, old, chunks, old_chunks, embedder, client) -> dict[str, list[float]]:
    """{text: vector} for the chunks the live generation already embedded."""
    cache: dict[str, list[float]] = {}
    carried = [c.id for c in chunks if c.id in old_chunks]
    if carried:
        old_store = vector_store(settings, old["collection"], embedder, client)
        for i in range(0, len(carried), 500):
            got = old_store.get(ids=carried[i:i + 500], include=["embeddings", "documents"])
            cache.update({doc: list(vec) for doc, vec in zip(got["documents"], got["embeddings"])})
    return cache


def _encode(chunks: list[Chunk], cache: dict[str, list[float]], embedder, show_progress) -> int:
    """Encode every new text before writing, shortest first, in large slices: sentence-transformers pads each batch
    to its longest text and sorts by length only within one call, so feeding it Chroma's write batches (mixed
    lengths, small calls) made ingest ~1.4x the model's own time at 100x the unit. Returns how many were encoded."""
    todo = sorted({c.text for c in chunks} - set(cache), key=len)
    bar = _progress_bar(len(todo), show_progress)
    for i in range(0, len(todo), ENCODE_SLICE):
        part = todo[i:i + ENCODE_SLICE]
        cache.update(zip(part, embedder.embed_documents(part)))
        bar.update(len(part))
    bar.close()
    return len(todo)


def _write_store(settings, collection, client, chunks, cache, fail_after_batches) -> None:
    store = vector_store(settings, collection, _CachedEmbeddings(cache), client)
    for n, i in enumerate(range(0, len(chunks), WRITE_BATCH)):
        part = chunks[i:i + WRITE_BATCH]
        store.add_texts([c.text for c in part], metadatas=[_metadata(c) for c in part], ids=[c.id for c in part])
        if fail_after_batches is not None and n + 1 >= fail_after_batches:
            raise RuntimeError("simulated failure during ingest")


def _write_generation(gen_dir: Path, chunks: list[Chunk]) -> None:
    with open(gen_dir / "chunks.jsonl", "w", encoding="utf-8") as fh:
        for c in chunks:
            fh.write(json.dumps(c.to_dict(), ensure_ascii=False) + "\n")
    save_keyword_index(chunks, gen_dir / "keyword")


def _files(docs, chunks: list[Chunk]) -> dict:
    return {doc.source: {"sha256": doc.sha256, "title": doc.title, "meta": doc.meta, "unit": doc.unit,
                         "chunk_ids": [c.id for c in chunks if c.source == doc.source]} for doc in docs}


def _metadata(c: Chunk) -> dict:
    meta = {"source": c.source, "unit": c.unit, "title": c.title, "paragraph": c.paragraph, "raw_start": c.raw_start,
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


