"""The vector half of the index: two Chroma collections per index, one of chunks and one of sentences, whose ids
are content hashes. A collection is never copied or recreated for a new generation: an ingest embeds only the
ids the collection lacks and writes them beside the live ones (which keep answering), and after the manifest
swap deletes the ids no generation uses any more. So an edit re-embeds only the chunks and sentences it changed,
and the index does not grow with every ingest.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import sqlite3
import sys
from pathlib import Path

import numpy as np

from .chunk import Chunk

log = logging.getLogger("tutor")
ENCODE_SLICE = 256  # texts per call to the embedding model (one progress step each)
WRITE_BATCH = 256  # records per Chroma write
_UUID_DIR = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def collection_names(index_id: str, model_name: str, format_version: int) -> tuple[str, str]:
    """The chunk and sentence collections of one index for an embedding model (a new model gets new ones; two
    indexes on one Chroma server never share one)."""
    key = hashlib.sha1(f"{model_name}|{format_version}".encode()).hexdigest()[:10]
    return f"tutor_{index_id}_chunks_{key}", f"tutor_{index_id}_sentences_{key}"


def sentence_id(source: str, text: str) -> str:
    return hashlib.sha1(f"{source}\n{text}".encode()).hexdigest()[:16]


def records(chunks: list[Chunk]) -> tuple[dict[str, tuple[str, dict]], dict[str, tuple[str, dict]]]:
    """{id: (text, metadata)} of the chunks and of their sentences (a sentence shared by two chunks, once)."""
    chunk_records, sentence_records = {}, {}
    for c in chunks:
        chunk_records[c.id] = (c.text, {"unit": c.unit, "source": c.source, "paragraph": c.paragraph})
        for s in c.sentence_texts():
            sentence_records.setdefault(sentence_id(c.source, s), (s, {"unit": c.unit, "source": c.source}))
    return chunk_records, sentence_records


def collection(client, name: str):
    return client.get_or_create_collection(name, metadata={"hnsw:space": "cosine"}, embedding_function=None)


def present(col, ids: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(ids), 1000):
        found.update(col.get(ids=ids[i:i + 1000], include=[])["ids"])
    return found


def add_missing(col, wanted: dict[str, tuple[str, dict]], embedder, label: str, show_progress=None,
                fail_after_batches: int | None = None) -> int:
    """Embed and write the records the collection lacks; returns how many. Texts are encoded shortest first in
    large slices (sentence-transformers pads a batch to its longest text and sorts only within one call)."""
    todo = sorted(set(wanted) - present(col, list(wanted)), key=lambda i: len(wanted[i][0]))
    bar = progress(len(todo), label, show_progress)
    written = 0
    for start in range(0, len(todo), ENCODE_SLICE):
        ids = todo[start:start + ENCODE_SLICE]
        vectors = np.asarray(embedder.embed_documents([wanted[i][0] for i in ids]), dtype=np.float32)
        for b in range(0, len(ids), WRITE_BATCH):
            part = ids[b:b + WRITE_BATCH]
            col.upsert(ids=part, embeddings=vectors[b:b + WRITE_BATCH], documents=[wanted[i][0] for i in part],
                       metadatas=[wanted[i][1] for i in part])
            written += 1
            if fail_after_batches is not None and written >= fail_after_batches:
                raise RuntimeError("simulated failure during ingest")
        bar.update(len(ids))
    bar.close()
    return len(todo)


def prune(col, keep: set[str]) -> int:
    """Delete every id not in ``keep`` (after the manifest swap); returns how many."""
    stale = [i for i in col.get(include=[])["ids"] if i not in keep]
    for i in range(0, len(stale), 1000):
        col.delete(ids=stale[i:i + 1000])
    return len(stale)


def drop_other_collections(client, keep: set[str], prefix: str = "tutor_") -> None:
    """This index's collections of earlier embedding models or index formats (those named ``prefix``...)."""
    try:
        for col in client.list_collections():
            name = getattr(col, "name", col)
            if name.startswith(prefix) and name not in keep:
                client.delete_collection(name)
    except Exception:  # noqa: BLE001 - a shared server may refuse; stale collections are harmless
        log.info("could not list or delete stale collections", exc_info=True)


def remove_orphan_segments(persist: Path) -> int:
    """Embedded Chroma leaves a deleted collection's segment folder behind (chroma-core/chroma#5520): remove the
    UUID folders its database no longer names. Returns how many were removed."""
    db = persist / "chroma.sqlite3"
    if not db.exists():
        return 0
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        live = {row[0] for row in conn.execute("SELECT id FROM segments")}
    orphans = [d for d in os.listdir(persist) if _UUID_DIR.match(d) and (persist / d).is_dir() and d not in live]
    for d in orphans:
        shutil.rmtree(persist / d, ignore_errors=True)
    return len(orphans)


class progress:
    """A bar on a terminal; a plain line every tenth of the work in logs (no carriage returns)."""

    def __init__(self, total: int, label: str, show: bool | None = None):
        from tqdm import tqdm

        self.total, self.label, self.done, self.next = total, label, 0, total / 10
        interactive = sys.stderr.isatty() if show is None else show
        self.bar = tqdm(total=total, desc=label, unit="text", disable=not interactive or total == 0)
        self.lines = not interactive and show is None and total > 0

    def update(self, n: int) -> None:
        self.bar.update(n)
        self.done += n
        if self.lines and (self.done >= self.next or self.done == self.total):
            print(f"{self.label}: {self.done}/{self.total}", file=sys.stderr, flush=True)
            self.next += self.total / 10

    def close(self) -> None:
        self.bar.close()
