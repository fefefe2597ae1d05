"""One reader per file format: bytes on disk -> the text citations point into.

For .txt and .md that text is the file itself, decoded (strict UTF-8 first; otherwise cp1252, the usual
single-byte encoding of course material, checked with charset-normalizer, and the decision logged); for .pdf,
.docx and .html it is the text extracted from the file (``documents/``: one reader per format). Every reader returns
a ``Document``: that text and its typed blocks (headings, paragraphs, list items, tables, captions, page
furniture). A reader raises ``SkipFile`` with the reason when a file cannot be used.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Callable

from .documents.blocks import Document, SkipFile
from .documents.text import text_document

log = logging.getLogger("tutor")


def decode(data: bytes, name: str) -> str:
    """Text of a file's bytes: UTF-8 when it is valid UTF-8, else the best single-byte encoding."""
    if b"\x00" in data[:8192]:
        raise SkipFile("binary file (NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=["cp1252", "latin_1"]).best()
    encoding = best.encoding if best else "cp1252"
    log.info("%s is not UTF-8: decoded as %s (chaos %s)", name, encoding, round(best.chaos, 3) if best else "n/a")
    return data.decode(encoding, errors="replace")


def read_text(path: Path, data: bytes | None = None) -> str:
    return decode(path.read_bytes() if data is None else data, str(path))


def _text(path: Path, data: bytes) -> Document:
    return text_document(read_text(path, data), markup=path.suffix.lower() == ".md")


def _pdf(path: Path, data: bytes) -> Document:
    from .documents.pdf import read_pdf

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        doc = read_pdf(path)
    for w in caught:  # the parser's own warnings, said with the file they are about
        log.warning("%s: PDF parser: %s", path, w.message)
    return doc


def _docx(path: Path, data: bytes) -> Document:
    from .documents.docx import read_docx

    return read_docx(path)


def _html(path: Path, data: bytes) -> Document:
    from .documents.html import read_html

    return read_html(path, read_text(path, data))


READERS: dict[str, Callable[[Path, bytes], Document]] = {
    ".txt": _text, ".md": _text, ".pdf": _pdf, ".docx": _docx, ".html": _html, ".htm": _html,
}


def read(path: Path, data: bytes) -> Document:
    """The document of one file whose bytes are ``data`` (its text and typed blocks), or SkipFile with the
    reason."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise SkipFile(f"unsupported file type {path.suffix or '(none)'}")
    if not data.strip():
        raise SkipFile("empty file")
    try:
        doc = reader(path, data)
    except SkipFile:
        raise
    except Exception as exc:  # noqa: BLE001 - a parser's own error on a damaged file
        kind = path.suffix.lower().lstrip(".").upper()
        raise SkipFile(f"corrupt {kind} ({exc.__class__.__name__}: {exc})") from None
    if not doc.text.strip():
        raise SkipFile("no text could be extracted")
    return doc
