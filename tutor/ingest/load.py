"""Corpus loading: files -> ``SourceDoc`` (raw text plus metadata).

``raw_text`` is the text citations point into: for .txt and .md it is the file itself (decoded UTF-8), for .pdf,
.docx and .html it is the text extracted from the file. A bad file is skipped with one warning line.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

log = logging.getLogger("tutor")

SUFFIXES = (".txt", ".md", ".pdf", ".docx", ".html", ".htm")


@dataclass(frozen=True)
class SourceDoc:
    source: str  # path relative to the corpus folder's parent, e.g. "corpus/unit-25.txt"
    raw_text: str
    sha256: str  # hash of the file's bytes
    title: str = ""
    meta: dict = field(default_factory=dict)  # unit, outcome when the text names them


class SkipFile(Exception):
    """Raised by a loader when a file cannot be used; the message is the reason."""


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    if b"\x00" in data[:8192]:
        raise SkipFile("binary file (NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SkipFile("not UTF-8 text") from None


def _read_pdf(path: Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        return "\n\n".join((page.extract_text() or "").strip() for page in reader.pages)
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise SkipFile(f"corrupt PDF ({exc})") from None


def _read_docx(path: Path) -> str:
    import docx

    document = docx.Document(str(path))
    return "\n\n".join(p.text.strip() for p in document.paragraphs if p.text.strip())


def _read_html(path: Path) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(_read_text(path), "html.parser")
    for tag in soup(["script", "style", "nav", "header", "footer", "noscript"]):
        tag.decompose()
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    if soup.title:
        soup.title.decompose()
    blocks = [el.get_text(" ", strip=True) for el in soup.find_all(["h1", "h2", "h3", "h4", "p", "li", "td", "pre"])]
    text = "\n\n".join(b for b in blocks if b) or soup.get_text("\n", strip=True)
    return (title + "\n\n" + text) if title else text


READERS: dict[str, Callable[[Path], str]] = {
    ".txt": _read_text,
    ".md": _read_text,
    ".pdf": _read_pdf,
    ".docx": _read_docx,
    ".html": _read_html,
    ".htm": _read_html,
}

_UNIT = re.compile(r"\bUnit\s*(\d+)", re.I)
_OUTCOME = re.compile(r"\bOutcome\s*(\d+)\s*\.\s*(\d+)", re.I)


def describe(text: str, path: Path) -> tuple[str, dict]:
    """Title and unit/outcome metadata from the text.

    >>> describe(" Unit 25Understand how to Safeguard ... Outcome 1. 4 Explain", Path("x.txt"))[1]
    {'unit': '25', 'outcome': '1.4'}
    """
    head = text[:600]
    meta = {}
    if m := _UNIT.search(head):
        meta["unit"] = m.group(1)
    if m := _OUTCOME.search(head):
        meta["outcome"] = f"{m.group(1)}.{m.group(2)}"
    first = next((line.strip(" #\t") for line in text.splitlines() if line.strip()), "")
    title = path.stem.replace("-", " ").replace("_", " ")
    if path.suffix.lower() in {".md", ".html", ".htm"} and 0 < len(first) <= 120:
        title = first
    elif meta.get("unit"):
        title = f"Unit {meta['unit']}" + (f", outcome {meta['outcome']}" if "outcome" in meta else "")
    return title, meta


def load_file(path: Path, root: Path) -> SourceDoc:
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise SkipFile(f"unsupported file type {path.suffix or '(none)'}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SkipFile(f"unreadable ({exc.strerror or exc})") from None
    if not data.strip():
        raise SkipFile("empty file")
    try:
        text = reader(path)
    except SkipFile:
        raise
    except Exception as exc:  # noqa: BLE001 - a parser's own error on a damaged file
        kind = path.suffix.lower().lstrip(".").upper()
        raise SkipFile(f"corrupt {kind} ({exc.__class__.__name__}: {exc})") from None
    if not text.strip():
        raise SkipFile("no text could be extracted")
    title, meta = describe(text, path)
    source = path.relative_to(root.parent).as_posix() if path.is_relative_to(root.parent) else str(path)
    return SourceDoc(source=source, raw_text=text, sha256=hashlib.sha256(data).hexdigest(), title=title, meta=meta)


def iter_corpus(root: Path) -> Iterator[Path]:
    """Every file under root, sorted, hidden files excluded."""
    for path in sorted(root.rglob("*")):
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(root).parts):
            yield path


def load_corpus(root: Path) -> tuple[list[SourceDoc], list[tuple[str, str]]]:
    """Load every supported file under root. Returns (documents, skipped) where skipped is [(path, reason)]."""
    docs, skipped = [], []
    for path in iter_corpus(root):
        try:
            docs.append(load_file(path, root))
        except SkipFile as exc:
            log.warning("skipped %s: %s", path, exc)
            skipped.append((str(path), str(exc)))
    return docs, skipped
