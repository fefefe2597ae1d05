"""Incremental, safe ingest: bring the index in line with the corpus folder.

Each ingest plans the new chunks (unchanged files keep theirs), adds to the chunk and sentence collections only
the vectors they lack (``vectors.py``), writes a new generation folder (chunk store and keyword index) aside,
and only then swaps ``manifest.json`` atomically. After the swap it deletes what no generation uses any more:
old generation folders, vectors of chunks and sentences that are gone, collections of an earlier embedding model
and their segment folders. An ingest that fails halfway leaves the previous generation live and complete.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import shutil
import time
import uuid
from pathlib import Path

from ..errors import TutorError
from ..settings import Settings
from . import vectors
from .chunk import Chunk, chunk_document
from .index import FORMAT, MANIFEST, FileEntry, Manifest, chroma_client, load_chunks, read_manifest, write_atomic
from .keyword import save_keyword_index
from .load import Corpus, load_corpus
from .report import SyncReport
from .units import Unit

log = logging.getLogger("tutor")


def sync(settings: Settings, rebuild: bool = False, embedder=None, show_progress: bool | None = None,
         fail_after_batches: int | None = None) -> SyncReport:
    """Bring the index in line with the corpus folder; see the module docstring for the safe-write scheme.

    ``fail_after_batches`` exists for tests: it raises after that many batches were written, to prove an
    interrupted ingest leaves the live index intact.
    """
    from .embed import get_embedder, model_label

    t0 = time.perf_counter()
    corpus = _load(settings)
    attributions = {slug: _attribution(settings.corpus_dir, u) for slug, u in corpus.units.items()}
    model_name = getattr(embedder, "name", None) or model_label(settings.embed_model)
    old = None if rebuild else _reusable(_live(settings), settings, model_name)
    old_chunks = {c.id: c for c in load_chunks(settings.index_dir / "generations" / old.generation)} if old else {}
    report = SyncReport(files=len(corpus.docs), skipped=corpus.skipped, units=len(corpus.units))
    chunks = _plan(settings, corpus.docs, old, old_chunks, report)
    if (old and report.files_unchanged == len(corpus.docs) and not report.files_removed
            and old.units == corpus.units and old.attributions == attributions):
        report.generation, report.up_to_date = old.generation, True
        report.seconds = time.perf_counter() - t0
        return report
    client = chroma_client(settings)
    index_id = _index_id(settings)
    names = vectors.collection_names(index_id, model_name, FORMAT)
    if rebuild:  # from scratch: every vector is computed again (the live generation keeps its files until the swap)
        vectors.drop_other_collections(client, set(), f"tutor_{index_id}_")
    wanted = vectors.records(chunks)
    embedder = embedder or get_embedder(settings.embed_model)
    for name, records, label in zip(names, wanted, ("Embedding chunks", "Embedding sentences")):
        report.embedded += vectors.add_missing(vectors.collection(client, name), records, embedder, label,
                                               show_progress, fail_after_batches)
    generation = time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    gen_dir = settings.index_dir / "generations" / generation
    try:
        gen_dir.mkdir(parents=True, exist_ok=True)
        _write_generation(gen_dir, chunks)
        report.seconds = time.perf_counter() - t0
        report.generation = generation
        manifest = Manifest(FORMAT, generation, names[0], names[1], _files(corpus.docs, chunks), index_id, model_name,
                            settings.embed_model, (settings.chunk_size, settings.chunk_overlap),
                            time.strftime("%Y-%m-%d %H:%M:%S %Z"), len(chunks), dict(corpus.units), attributions,
                            "server" if settings.chroma_host else "embedded")
        write_atomic(settings.index_dir / MANIFEST, json.dumps(manifest.to_json(), indent=1))
    except BaseException:
        shutil.rmtree(gen_dir, ignore_errors=True)
        raise
    _clean_up(settings, client, names, wanted, generation, index_id)
    return report


def _index_id(settings: Settings) -> str:
    """A random name this index keeps for its life (its collections carry it), so that indexes sharing a Chroma
    server never touch each other's vectors."""
    try:
        live = read_manifest(settings.index_dir)
    except TutorError:
        live = None
    return (live and live.index_id) or uuid.uuid4().hex[:8]


def _load(settings: Settings) -> Corpus:
    if not settings.corpus_dir.is_dir():
        raise TutorError(f"Corpus folder {settings.corpus_dir} does not exist. Create it or pass --corpus DIR.")
    corpus = load_corpus(settings.corpus_dir)
    if not corpus.docs:
        raise TutorError(f"Nothing could be indexed in {settings.corpus_dir}: no readable .txt, .md, .pdf, .docx or .html files.")
    return corpus


def _attribution(corpus_dir: Path, unit: Unit) -> str:
    """A unit's attribution text (its licence, shown in the app), from the file its unit.toml names."""
    path = corpus_dir / unit.slug / unit.attribution
    return path.read_text(encoding="utf-8", errors="replace") if unit.attribution and path.is_file() else ""


def _live(settings: Settings) -> Manifest | None:
    """The live manifest; a damaged one or another version's is built anew."""
    try:
        return read_manifest(settings.index_dir)
    except TutorError as exc:
        log.warning("%s: building the index anew", str(exc).split(". Run:")[0])
        return None


def _reusable(old: Manifest | None, settings: Settings, model_name: str) -> Manifest | None:
    """The live manifest when its chunks can be reused, else None (everything is chunked again)."""
    if old and (old.embed_model != model_name or old.chunking != (settings.chunk_size, settings.chunk_overlap)
                or old.format != FORMAT or old.chroma != ("server" if settings.chroma_host else "embedded")):
        log.warning("embedding model, chunking or Chroma location changed since the last build: building it anew")
        return None
    return old


def _plan(settings: Settings, docs, old: Manifest | None, old_chunks: dict[str, Chunk], report: SyncReport) -> list[Chunk]:
    """The new generation's chunks: unchanged files keep theirs, new and changed files are chunked again."""
    chunks: list[Chunk] = []
    old_files = old.files if old else {}
    for doc in docs:
        prev = old_files.get(doc.source)
        if prev and prev.sha256 == doc.sha256 and prev.unit == doc.unit:
            report.files_unchanged += 1
            chunks.extend(dataclasses.replace(old_chunks[i], title=doc.title) for i in prev.chunk_ids)
            continue
        new = chunk_document(doc, settings.chunk_size, settings.chunk_overlap)
        if prev:
            report.files_changed += 1
            before = set(prev.chunk_ids)
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


def _write_generation(gen_dir: Path, chunks: list[Chunk]) -> None:
    with open(gen_dir / "chunks.jsonl", "w", encoding="utf-8") as fh:
        for c in chunks:
            fh.write(json.dumps(c.to_dict(), ensure_ascii=False) + "\n")
    save_keyword_index(chunks, gen_dir / "keyword")


def _files(docs, chunks: list[Chunk]) -> dict[str, FileEntry]:
    ids: dict[str, list[str]] = {}
    for c in chunks:
        ids.setdefault(c.source, []).append(c.id)
    return {doc.source: FileEntry(doc.sha256, doc.unit, tuple(ids.get(doc.source, ())), doc.title, dict(doc.meta))
            for doc in docs}


def _clean_up(settings: Settings, client, names: tuple[str, str], wanted, keep: str, index_id: str) -> None:
    """After the swap: what no generation uses any more. A failure here costs disk space, never the index."""
    try:
        for name, records in zip(names, wanted):
            vectors.prune(vectors.collection(client, name), set(records))
        # on a server only this index's own collections; embedded, the store is this index's alone
        vectors.drop_other_collections(client, set(names), f"tutor_{index_id}_" if settings.chroma_host else "tutor_")
        if not settings.chroma_host:
            vectors.remove_orphan_segments(settings.index_dir / "chroma")
    except Exception:  # noqa: BLE001 - the new generation is live either way
        log.warning("could not remove stale vectors; the next ingest will try again", exc_info=True)
    for folder in (settings.index_dir / "generations").iterdir():
        if folder.name != keep:
            shutil.rmtree(folder, ignore_errors=True)
