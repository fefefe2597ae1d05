"""One reader per file format: bytes on disk -> the text citations point into.

For .txt and .md that text is the file itself, decoded (strict UTF-8 first; otherwise cp1252, the usual
single-byte encoding of course material, checked with charset-normalizer, and the decision logged); for .pdf,
.docx and .html it is the text extracted from the file. A reader raises ``SkipFile`` with the reason when a file
cannot be used.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Callable

log = logging.getLogger("tutor")


class SkipFile(Exception):
    """Raised when a file cannot be used; the message is the reason."""


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


def read_pdf(path: Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        with open(path, "rb") as fh, warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            text = "\n\n".join((page.extract_text() or "").strip() for page in PdfReader(fh).pages)
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise SkipFile(f"corrupt PDF ({exc})") from None
    for w in caught:  # the parser's own warnings, said with the file they are about
        log.warning("%s: PDF parser: %s", path, w.message)
    return text


def read_docx(path: Path) -> str:
    import docx

    document = docx.Document(str(path))
    return "\n\n".join(p.text.strip() for p in document.paragraphs if p.text.strip())


def read_html(path: Path) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(read_text(path), "html.parser")
    for tag in soup(["script", "style", "nav", "header", "footer", "noscript"]):
        tag.decompose()
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    if soup.title:
        soup.title.decompose()
    blocks = [el.get_text(" ", strip=True) for el in soup.find_all(["h1", "h2", "h3", "h4", "p", "li", "td", "pre"])]
    text = "\n\n".join(b for b in blocks if b) or soup.get_text("\n", strip=True)
    return (title + "\n\n" + text) if title else text


READERS: dict[str, Callable[[Path], str]] = {
    ".txt": read_text, ".md": read_text, ".pdf": read_pdf, ".docx": read_docx, ".html": read_html, ".htm": read_html,
}


def read(path: Path, data: bytes) -> str:
    """The text of one file whose bytes are ``data``, or SkipFile with the reason."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise SkipFile(f"unsupported file type {path.suffix or '(none)'}")
    if not data.strip():
        raise SkipFile("empty file")
    try:
        text = read_text(path, data) if reader is read_text else reader(path)
    except SkipFile:
        raise
    except Exception as exc:  # noqa: BLE001 - a parser's own error on a damaged file
        kind = path.suffix.lower().lstrip(".").upper()
        raise SkipFile(f"corrupt {kind} ({exc.__class__.__name__}: {exc})") from None
    if not text.strip():
        raise SkipFile("no text could be extracted")
    return text
