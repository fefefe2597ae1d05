"""Larger corpora for the scaling bench, built from distinct text: one unit's own sentences, recombined.

The scaled corpora grow from one unit (``unit-25-safeguarding`` when the course has it, else the first unit
folder), written as one unit folder, so sizes compare with runs made when the corpus was that unit alone. Copy 0
is the unit as it is. Copy ``i`` (1, 2, ...) is a new file: every sentence of the unit, shuffled with seed ``i``,
dealt into paragraphs of the unit's paragraph sizes, each sentence opening with a unique identifier
``(i.paragraph.sentence)``. So no two chunks anywhere share their text (the ingest cache cannot skip the model),
while the vocabulary, sentence lengths and topics stay those of a real unit.

>>> paragraphs = [["Alpha one.", "Alpha two."], ["Beta one."]]
>>> recombine(paragraphs, 7)
'(7.1.1) Beta one. (7.1.2) Alpha one.\\n(7.2.1) Alpha two.'
"""

from __future__ import annotations

import random
from pathlib import Path

from ..text.sentences import split_sentences
from ..ingest.clean import clean
from ..ingest.load import load_corpus
from ..ingest.units import MANIFEST_FILE

PREFERRED_UNIT = "unit-25-safeguarding"
DESCRIPTION = ("one unit's sentences recombined, written as one unit folder: copy 0 is the unit itself; copy i "
               "shuffles every sentence of the unit with seed i, deals them into paragraphs of the unit's sizes and "
               "opens each sentence with a unique identifier (i.paragraph.sentence), so every chunk's text is distinct")


def unit_folder(corpus_dir: Path) -> Path:
    """The unit the larger corpora grow from: ``unit-25-safeguarding`` if present, else the first unit folder
    (the corpus folder itself when it holds bare files only)."""
    if (corpus_dir / PREFERRED_UNIT).is_dir():
        return corpus_dir / PREFERRED_UNIT
    folders = sorted(p for p in corpus_dir.iterdir() if p.is_dir() and not p.name.startswith("."))
    return folders[0] if folders else corpus_dir


def unit_paragraphs(corpus_dir: Path) -> list[list[str]]:
    """The clean sentences of every course file under ``corpus_dir``, paragraph by paragraph."""
    paragraphs = []
    for doc in load_corpus(corpus_dir).docs:
        for para in clean(doc.raw_text).text.split("\n"):
            sentences = [para[s:e] for s, e in split_sentences(para)]
            if sentences:
                paragraphs.append(sentences)
    return paragraphs


def recombine(paragraphs: list[list[str]], copy: int) -> str:
    """One distinct copy: all sentences shuffled with seed ``copy``, in paragraphs of the original sizes."""
    sentences = [s for para in paragraphs for s in para]
    random.Random(copy).shuffle(sentences)
    out, i = [], 0
    for p, para in enumerate(paragraphs, start=1):
        part = sentences[i:i + len(para)]
        i += len(para)
        out.append(" ".join(f"({copy}.{p}.{k}) {s}" for k, s in enumerate(part, start=1)))
    return "\n".join(out)


def _copy_unit(corpus_dir: Path, dest: Path, text: bool = True) -> Path:
    """The chosen unit's folder copied into ``dest`` (only its unit.toml when not ``text``); returns the copy.
    Files are written anew, so the copies are writable even where the corpus is read-only."""
    unit = unit_folder(corpus_dir)
    folder = dest / unit.name if unit != corpus_dir else dest
    for path in sorted(p for p in unit.rglob("*") if p.is_file()):
        if text or path.name == MANIFEST_FILE:
            target = folder / path.relative_to(unit)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def build(corpus_dir: Path, factor: int, dest: Path) -> Path:
    """``dest`` holding ``factor`` times the unit: its own files plus ``factor - 1`` recombined copies."""
    if factor < 1:
        raise ValueError(f"factor must be at least 1. Currently {factor}.")
    folder = _copy_unit(corpus_dir, dest)
    paragraphs = unit_paragraphs(dest) if factor > 1 else []
    for copy in range(1, factor):
        (folder / f"copy-{copy:04d}.txt").write_text(recombine(paragraphs, copy), encoding="utf-8")
    return dest


def large_file(corpus_dir: Path, megabytes: float, dest: Path) -> Path:
    """``dest`` holding the unit as one plain-text file of about ``megabytes`` MB (recombined copies, one after
    the other, many paragraphs) beside the unit's unit.toml; returns the file."""
    paragraphs = unit_paragraphs(_copy_unit(corpus_dir, dest / "source"))
    folder = _copy_unit(corpus_dir, dest / "corpus", text=False)
    path = folder / f"{folder.name}-large.txt"
    target, written, copy = megabytes * 1e6, 0, 0
    with open(path, "w", encoding="utf-8") as fh:
        while written < target:
            copy += 1
            written += fh.write(recombine(paragraphs, copy) + "\n")
    return path
