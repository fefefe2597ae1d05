"""The index: chunks embedded into Chroma (through langchain-chroma) plus a bm25s keyword index, kept in step.

Layout of ``index_dir``::

    manifest.json              the live generation: files and their hashes, chunk ids, model, counts
    generations/<gen>/         chunks.jsonl (the chunk store) and keyword/ (bm25s) for one build
    chroma/                    embedded Chroma data (unused when TUTOR_CHROMA_HOST names a server)

``sync`` (in ``sync.py``) writes each new generation aside and swaps ``manifest.json`` atomically; this module
opens the live one read-only.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path

from ..errors import NoIndexError, TutorError
from ..settings import Settings
from .chunk import Chunk
from .keyword import load_keyword_index
from .units import Unit

MANIFEST = "manifest.json"
FORMAT = 4  # 2: chunks carry their unit and sentence roles; 3: content-keyed chunk and sentence collections;
# 4: chunks carry their section (heading path) and page


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


REQUIRED = ("format", "generation", "collection", "sentence_collection", "files")


@dataclass(frozen=True)
class FileEntry:
    """What the manifest records of one corpus file."""

    sha256: str
    unit: str
    chunk_ids: tuple[str, ...]
    title: str = ""
    meta: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Manifest:
    """The live generation of an index, as ``manifest.json`` records it (read once per generation)."""

    format: int
    generation: str
    collection: str  # the chunk vectors' Chroma collection
    sentence_collection: str  # the sentence vectors' Chroma collection
    files: dict[str, FileEntry]  # by source path
    index_id: str = ""  # a random name this index keeps for its life (its collections carry it)
    embed_model: str = ""  # the embedding model's label
    embed_setting: str = "bundled"  # the TUTOR_EMBED_MODEL value it was built with
    chunking: tuple[int, int] = (0, 0)  # (size, overlap)
    built_at: str = ""
    chunks: int = 0
    units: dict[str, Unit] = field(default_factory=dict)  # by slug, in corpus order
    attributions: dict[str, str] = field(default_factory=dict)  # by slug: each unit's licence and attribution text
    chroma: str = "embedded"  # embedded | server

    @classmethod
    def from_json(cls, data: dict) -> "Manifest":
        known = {f.name for f in fields(Unit)}
        files = {src: FileEntry(f["sha256"], f["unit"], tuple(f["chunk_ids"]), f.get("title", ""), f.get("meta", {}))
                 for src, f in data["files"].items()}
        units = {slug: Unit(**{k: v for k, v in u.items() if k in known}) for slug, u in data.get("units", {}).items()}
        return cls(int(data["format"]), data["generation"], data["collection"], data["sentence_collection"], files,
                   data.get("index_id", ""), data.get("embed_model", ""), data.get("embed_setting", "bundled"),
                   tuple(data.get("chunking", (0, 0))), data.get("built_at", ""), int(data.get("chunks", 0)), units,
                   {slug: u.get("attribution_text", "") for slug, u in data.get("units", {}).items()},
                   data.get("chroma", "embedded"))

    def to_json(self) -> dict:
        units = {slug: {**u.to_dict(), "attribution_text": self.attributions.get(slug, "")} for slug, u in self.units.items()}
        files = {src: {"sha256": f.sha256, "title": f.title, "meta": f.meta, "unit": f.unit, "chunk_ids": list(f.chunk_ids)}
                 for src, f in self.files.items()}
        return {"format": self.format, "index_id": self.index_id, "generation": self.generation,
                "collection": self.collection, "sentence_collection": self.sentence_collection,
                "embed_model": self.embed_model, "embed_setting": self.embed_setting, "chunking": list(self.chunking),
                "built_at": self.built_at, "chunks": self.chunks, "units": units, "files": files, "chroma": self.chroma}


def manifest_stamp(index_dir: Path) -> tuple | None:
    """What changes when ``manifest.json`` is swapped (inode, size, mtime), without reading it; None when absent."""
    try:
        st = (index_dir / MANIFEST).stat()
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def read_manifest(index_dir: Path) -> Manifest | None:
    """The live manifest, None when there is no index yet; a damaged one is an error that says what to do."""
    path = index_dir / MANIFEST
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise TutorError(f"The index at {index_dir} is damaged ({MANIFEST}: {exc}). Run: tutor ingest --rebuild") from None
    except OSError as exc:
        raise TutorError(f"Cannot read {path} ({exc.strerror or exc}). Check its permissions.") from None
    missing = [k for k in REQUIRED if not isinstance(data, dict) or k not in data]
    if missing:
        raise TutorError(f"The index at {index_dir} was built by another version or is damaged ({MANIFEST} lacks "
                         f"{', '.join(missing)}). Run: tutor ingest --rebuild")
    try:
        return Manifest.from_json(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise TutorError(f"The index at {index_dir} is damaged ({MANIFEST}: {exc.__class__.__name__}: {exc}). "
                         "Run: tutor ingest --rebuild") from None


def write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    tmp.write_text(text, encoding="utf-8")
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def load_chunks(folder: Path) -> list[Chunk]:
    with open(folder / "chunks.jsonl", encoding="utf-8") as fh:
        return [Chunk.from_dict(json.loads(line)) for line in fh if line.strip()]


@dataclass
class Index:
    """A loaded, read-only view of one generation: chunk store, keyword index and vector stores."""

    settings: Settings
    manifest: Manifest
    chunks: list[Chunk]
    keyword: object
    store: object  # the chunk vectors (langchain-chroma)
    embedder: object
    sentence_store: object = None  # the sentence vectors

    @classmethod
    def open(cls, settings: Settings, embedder=None, manifest: Manifest | None = None) -> "Index":
        """The generation ``manifest`` names (read from ``settings.index_dir`` when not given), its vectors read
        through ``embedder`` (by default the one the index was built with)."""
        from .embed import get_embedder

        manifest = manifest or read_manifest(settings.index_dir)
        if manifest is None:
            raise NoIndexError(_display(settings.index_dir))
        gen_dir = settings.index_dir / "generations" / manifest.generation
        if not (gen_dir / "chunks.jsonl").is_file() or not (gen_dir / "keyword").is_dir():
            raise TutorError(f"The index at {settings.index_dir} is damaged (its generation {manifest.generation} "
                             "is missing). Run: tutor ingest --rebuild")
        embedder = embedder or get_embedder(manifest.embed_setting)
        client = chroma_client(settings)
        store = vector_store(settings, manifest.collection, embedder, client)
        sentences = vector_store(settings, manifest.sentence_collection, embedder, client)
        return cls(settings, manifest, load_chunks(gen_dir), load_keyword_index(gen_dir / "keyword"), store, embedder,
                   sentences)

    @cached_property
    def by_id(self) -> dict[str, Chunk]:
        return {c.id: c for c in self.chunks}

    @cached_property
    def chunks_of_sentence(self) -> dict[str, list[str]]:
        """{sentence id: the ids of the chunks holding that sentence} (neighbouring chunks share sentences)."""
        from .vectors import sentence_id

        out: dict[str, list[str]] = {}
        for c in self.chunks:
            for s in c.sentence_texts():
                out.setdefault(sentence_id(c.source, s), []).append(c.id)
        return out

    @property
    def units(self) -> dict[str, Unit]:
        """The indexed units by slug, in corpus order."""
        return self.manifest.units

    def unit(self, slug: str | None) -> Unit | None:
        """The unit named ``slug`` (None for all units); an unknown name is an error listing the known ones."""
        if not slug:
            return None
        if slug not in self.units:
            raise TutorError(f"Unknown unit {slug!r}. Units in this index: {', '.join(self.units) or 'none'}.")
        return self.units[slug]

    def chunks_of(self, slug: str | None) -> list[Chunk]:
        return self.chunks if not slug else [c for c in self.chunks if c.unit == slug]

    def attribution(self, slug: str) -> str:
        return self.manifest.attributions.get(slug, "")


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve())) + "/"
    except ValueError:
        return str(path) + "/"


def status(settings: Settings) -> dict:
    m = read_manifest(settings.index_dir)
    if m is None:
        raise NoIndexError(_display(settings.index_dir))
    return {
        "index": str(settings.index_dir),
        "size_mb": round(sum(p.stat().st_size for p in settings.index_dir.rglob("*") if p.is_file()) / 1e6, 1),
        "chroma": settings.chroma_mode,
        "collection": m.collection,
        "embed_model": m.embed_model,
        "built_at": m.built_at,
        "chunks": m.chunks,
        "chunking": {"size": m.chunking[0], "overlap": m.chunking[1]},
        "units": {slug: {"title": u.title, "code": u.code, "files": sorted(
            src for src, f in m.files.items() if f.unit == slug), "chunks": sum(
            len(f.chunk_ids) for f in m.files.values() if f.unit == slug)}
            for slug, u in m.units.items()},
        "sources": {src: {"title": f.title, "unit": f.unit, "chunks": len(f.chunk_ids), **f.meta}
                    for src, f in m.files.items()},
    }
