"""Whether the index stays lean (the ingest keeps one chunk and one sentence collection and deletes what no
generation uses): the index folder's size over successive one-word edits, and the time and peak memory of a
fresh ``tutor ingest`` process given one large plain-text file.

>>> edit_paragraph("Alpha beta.\\nThe gamma delta.", 2)
(2, 'Alpha beta.\\nThe changed delta.')
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from .util import QUIET_ENV, folder_mb, peak_rss_mb, stop
from ..ingest.index import read_manifest
from ..ingest.sync import sync
from ..settings import PROJECT_ROOT, Settings

WORD = re.compile(r"\b[A-Za-z]{5,}\b")  # a word an edit changes (long enough not to be a stopword)


def edit_paragraph(text: str, paragraph: int) -> tuple[int, str]:
    """Change one word of the ``paragraph``-th line that has one (counting from 1, wrapping round); returns the
    line number changed and the new text."""
    lines = text.split("\n")
    editable = [i for i, line in enumerate(lines) if WORD.search(line)]
    i = editable[(paragraph - 1) % len(editable)]
    lines[i] = WORD.sub(lambda m: "changed" if m.group(0).lower() != "changed" else "altered", lines[i], count=1)
    return i + 1, "\n".join(lines)


def course_file(corpus: Path) -> Path:
    """The largest course text file under ``corpus`` (unit.toml and attributions are not course text)."""
    return max((p for p in corpus.rglob("*.txt") if p.is_file()), key=lambda p: p.stat().st_size)


def edits(settings: Settings, corpus: Path, index_dir: Path, embedder, count: int) -> dict:
    """Build the index of ``corpus`` from scratch, then ``count`` times change one word in a different paragraph
    of its course file and ingest again: seconds, texts embedded and the index folder's size after each."""
    s = settings.replace(corpus_dir=corpus, index_dir=index_dir, chroma_host="")
    rows = [_ingest_row(s, embedder, 0, None, rebuild=True)]
    path = course_file(corpus)
    paragraphs = len([line for line in path.read_text(encoding="utf-8").split("\n") if WORD.search(line)])
    for n in range(1, count + 1):
        line, text = edit_paragraph(path.read_text(encoding="utf-8"), 1 + (n - 1) * paragraphs // count)
        path.write_text(text, encoding="utf-8")
        rows.append(_ingest_row(s, embedder, n, line))
    first, last = rows[0]["index_mb"], rows[-1]["index_mb"]
    return {"file": path.name, "paragraphs": paragraphs, "rows": rows, "first_mb": first, "last_mb": last,
            "growth": round(last / first, 3) if first else None}


def _ingest_row(s: Settings, embedder, n: int, line: int | None, rebuild: bool = False) -> dict:
    t0 = time.perf_counter()
    report = sync(s, rebuild=rebuild, embedder=embedder, show_progress=False)
    seconds = time.perf_counter() - t0
    return {"edit": n, "line": line, "seconds": round(seconds, 2), "embedded": report.embedded,
            "chunks_replaced": report.replaced, "chunks_removed": report.removed,
            "chunks": read_manifest(s.index_dir).chunks, "index_mb": folder_mb(s.index_dir),
            "chroma_db_mb": round(sum(p.stat().st_size for p in (s.index_dir / "chroma").glob("chroma.sqlite3*")) / 1e6, 3)}


def ingest_process(settings: Settings, path: Path, index_dir: Path, log: Path, timeout: float) -> dict:
    """A fresh ``python -m tutor ingest`` of the corpus holding ``path``, with the embedding model of the
    settings: wall seconds and peak resident memory (VmHWM, sampled while it runs: it only ever grows, so the last
    sample is the peak but for the last tenth of a second; the kernel's maximum reported at exit would count this
    process's memory too, as the child starts as its copy)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUTOR_")}
    env.update(QUIET_ENV, TUTOR_CORPUS_DIR=str(path.parent.parent), TUTOR_INDEX_DIR=str(index_dir),
               TUTOR_EMBED_MODEL=settings.embed_model, TUTOR_CHUNK_SIZE=str(settings.chunk_size),
               TUTOR_CHUNK_OVERLAP=str(settings.chunk_overlap), TUTOR_MODEL_CACHE=str(settings.model_cache))
    t0, peak, samples = time.perf_counter(), 0.0, 0
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "tutor", "ingest"], stdout=out, stderr=subprocess.STDOUT,
                                env=env, cwd=PROJECT_ROOT)
        try:
            while proc.poll() is None:
                if time.perf_counter() - t0 > timeout:
                    raise TimeoutError(f"tutor ingest of {path.name} took over {timeout:.0f} s")
                peak, samples = max(peak, peak_rss_mb(proc.pid) or 0.0), samples + 1
                time.sleep(0.1)
        finally:
            stop(proc)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"tutor ingest exited with {proc.returncode}: {log.read_text()[-300:].strip()}")
    return {"file": path.name, "file_mb": round(path.stat().st_size / 1e6, 2), "embed_model": settings.embed_model,
            "chunks": read_manifest(index_dir).chunks, "seconds": round(seconds, 1), "peak_rss_mb": round(peak, 1),
            "samples": samples, "index_mb": folder_mb(index_dir), "output": log.read_text().strip()[-200:]}
