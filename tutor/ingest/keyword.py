"""The keyword index: bm25s over the chunks' stemmed content words, saved beside each generation's chunk store."""

from __future__ import annotations

import logging
from pathlib import Path

from ..text import terms
from .chunk import Chunk


def _bm25s():
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets itself to DEBUG on import
    return bm25s


def build_keyword_index(chunks: list[Chunk]):
    """A bm25s index over the chunks' stemmed content words (in the order of ``chunks``)."""
    model = _bm25s().BM25()
    model.index([terms(c.text) or ["_"] for c in chunks], show_progress=False)
    return model


def save_keyword_index(chunks: list[Chunk], folder: Path) -> None:
    build_keyword_index(chunks).save(str(folder))


def load_keyword_index(folder: Path):
    return _bm25s().BM25.load(str(folder))


