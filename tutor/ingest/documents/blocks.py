"""The document model every reader returns: the extracted text citations point into, and its typed blocks.

A block is one heading, paragraph, list item (or a run of them), table, caption or piece of page furniture
(running header, footer, page number), with its span in the text and, for a PDF, its page. Readers build a
``Document`` with ``Builder``, which joins blocks with a blank line and records where each one lies:

>>> b = Builder()
>>> b.add("heading", "Memory", level=1)
>>> b.add("paragraph", "Memories are stored in many places.", page=2)
>>> doc = b.document()
>>> doc.text
'Memory\\n\\nMemories are stored in many places.'
>>> [(x.kind, doc.text[x.start:x.end], x.page) for x in doc.blocks]
[('heading', 'Memory', 0), ('paragraph', 'Memories are stored in many places.', 2)]
"""

from __future__ import annotations

from dataclasses import dataclass

class SkipFile(Exception):
    """Raised when a file cannot be used; the message is the reason."""


KINDS = ("heading", "paragraph", "list", "table", "caption", "furniture")


@dataclass(frozen=True)
class Block:
    kind: str  # one of KINDS
    start: int  # text[start:end] is the block, exactly
    end: int
    level: int = 0  # a heading's level, 1 (title) to 6; 0 for other blocks
    page: int = 0  # 1-based page of a PDF where the block starts; 0 when the format has no pages
    rows: tuple[tuple[str, ...], ...] = ()  # a table's rows of cells
    box: str = ""  # the feature box or sidebar it is printed in (an id), "" for the document's own flow


@dataclass(frozen=True)
class Document:
    text: str
    blocks: tuple[Block, ...]

    def of(self, kind: str) -> list[str]:
        """The text of every block of one kind, in order."""
        return [self.text[b.start:b.end] for b in self.blocks if b.kind == kind]


class Builder:
    """Appends blocks to a text, one blank line between blocks (a line break between list items), and remembers
    their spans."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._blocks: list[Block] = []
        self._length = 0

    def add(self, kind: str, text: str, level: int = 0, page: int = 0, rows=(), box: str = "") -> None:
        if kind not in KINDS:
            raise ValueError(f"block kind must be one of {KINDS}, got {kind!r}")
        text = text.strip()
        if not text:
            return
        if kind == "list":
            text = "- " + text  # a list item reads as in a text file: "- item" (a bullet glyph is not kept)
        if self._parts:  # a list's items are kept on neighbouring lines, so the list reads as one
            gap = "\n" if kind == "list" and self._blocks[-1].kind == "list" else "\n\n"
            self._parts.append(gap)
            self._length += len(gap)
        start = self._length
        self._parts.append(text)
        self._length += len(text)
        self._blocks.append(Block(kind, start, self._length, level, page, tuple(tuple(r) for r in rows), box))

    def table(self, rows: list[list[str]], page: int = 0) -> None:
        """A table written as rows of cells ("a | b | c"), one line per row, kept whole as one block."""
        rows = [[" ".join((cell or "").split()) for cell in row] for row in rows]
        rows = [row for row in rows if any(row)]
        if rows:
            self.add("table", "\n".join(" | ".join(row).strip() for row in rows), page=page, rows=rows)

    def document(self) -> Document:
        return Document("".join(self._parts), tuple(self._blocks))
