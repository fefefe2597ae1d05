"""Larger corpora for the scaling bench, built from distinct text: the unit's own sentences, recombined.

Copy 0 is the corpus as it is. Copy ``i`` (1, 2, ...) is a new file: every sentence of the unit, shuffled with
seed ``i``, dealt into paragraphs of the unit's paragraph sizes, each sentence opening with a unique identifier
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

DESCRIPTION = ("the unit's sentences recombined: copy 0 is the unit itself; copy i shuffles every sentence of the "
               "unit with seed i, deals them into paragraphs of the unit's sizes and opens each sentence with a "
               "unique identifier (i.paragraph.sentence), so every chunk's text is distinct")


def unit_paragraphs(corpus_dir: Path) -> list[list[str]]:
    """The clean sentences of every corpus file, paragraph by paragraph."""
    docs, _ = load_corpus(corpus_dir)
    paragraphs = []
    for doc in docs:
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


def build(corpus_dir: Path, factor: int, dest: Path) -> Path:
    """``dest`` holding ``factor`` times the corpus: the original files plus ``factor - 1`` recombined copies."""
    if factor < 1:
        raise ValueError(f"factor must be at least 1. Currently {factor}.")
    dest.mkdir(parents=True, exist_ok=True)
    for path in sorted(p for p in corpus_dir.rglob("*") if p.is_file()):
        target = dest / path.relative_to(corpus_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    paragraphs = unit_paragraphs(corpus_dir) if factor > 1 else []
    for copy in range(1, factor):
        (dest / f"copy-{copy:04d}.txt").write_text(recombine(paragraphs, copy), encoding="utf-8")
    return dest
