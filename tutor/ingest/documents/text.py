"""Plain text and Markdown as a ``Document``: the file itself is the text, and its blocks are read from lines.

Each line with text is a block, except that consecutive table rows ("| a | b |") form one block, and so do
consecutive list items ("- a", "- b"). A Markdown heading keeps its level (the number of #); in plain text a short
line without sentence-final punctuation is a heading, the first one level 1 and the rest level 2.

>>> doc = text_document("Memory\\n\\nIt lasts.\\n- one\\n- two\\n\\nStages\\n\\nThere are three.")
>>> [(b.kind, b.level, doc.text[b.start:b.end]) for b in doc.blocks]
[('heading', 1, 'Memory'), ('paragraph', 0, 'It lasts.'), ('list', 0, '- one\\n- two'), ('heading', 2, 'Stages'), ('paragraph', 0, 'There are three.')]
"""

from __future__ import annotations

import re
from typing import Iterator

from ..clean import clean
from ..structure import PATTERNS, paragraph_role
from .blocks import Block, Document

_LINE = re.compile(r"[^\n]*\n?")
_KIND = {"heading": "heading", "table": "table", "caption": "caption", "list": "list", "objective": "list"}


def _group(line: str) -> str:
    """Lines that join their neighbours of the same group into one block: table rows and list items."""
    if PATTERNS["table_row"].match(line):
        return "table"
    return "list" if PATTERNS["list_item"].match(line) else ""


def line_blocks(raw: str) -> Iterator[tuple[int, int]]:
    """Raw spans of the blocks: each line with text, except runs of table rows and runs of list items."""
    start = end = None
    group = ""
    for m in _LINE.finditer(raw):
        line = m.group().rstrip("\n")
        kind = _group(line) if line.strip() else ""
        if start is not None and not (kind and kind == group):
            yield start, end
            start = None
        if line.strip():
            if start is None:
                start, group = m.start(), kind
            end = m.start() + len(line)
    if start is not None:
        yield start, end


def text_document(raw: str, markup: bool = False) -> Document:
    """The blocks of a text file (``markup``: Markdown, whose marks are not text)."""
    blocks: list[Block] = []
    headings = 0
    for a, b in line_blocks(raw):
        first = raw[a:b].split("\n", 1)[0]
        role = paragraph_role(first, clean(first, markup).text.strip())
        kind = _KIND.get(role, "paragraph")
        level = 0
        if kind == "heading":
            m = PATTERNS["markdown_heading"].match(first)
            level = first.strip().index(" ") if m else (1 if headings == 0 else 2)
            headings += 1
        blocks.append(Block(kind, a, b, level))
    return Document(raw, tuple(blocks))
