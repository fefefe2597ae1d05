"""Printed lines -> blocks: how a page's lines are rejoined into headings, paragraphs, list items and captions.

A PDF reader (``pdf.py``) gives each printed line with its position, font size and boldness, in reading order,
tables already found and furniture already marked. Lines join into one paragraph unless the spacing, the
indentation or the font says a new block starts; a paragraph that ends a page without closing its sentence goes
on at the top of the next; a word broken with a hyphen at the end of a line is mended ("experi-" + "ence").

>>> ls = [Line("The first line of a para-", 72, 500, 100, 110, 10), Line("graph goes on here.", 72, 300, 112, 122, 10)]
>>> assemble([ls[0], ls[1]]).of("paragraph")
['The first line of a paragraph goes on here.']
"""

from __future__ import annotations

import re
import statistics
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ...text import zipf
from ..structure import PATTERNS
from .blocks import Builder, Document

LAYOUT = tomllib.loads(Path(__file__).with_name("layout.toml").read_text(encoding="utf-8"))["pdf"]
BULLET = re.compile(LAYOUT["bullet"])
GLYPH = re.compile("^\\s*(?:[\u2022\u25aa\u25a0\u25cf\u25e6\u2023\u2043\u2219\u00b7\u25ab\u25a1\u27a2\uf0b7\uf0a7]"
                   "|\\(cid:\\d+\\))\\s*")  # a bullet glyph, or one the font does not map to a character
_END = re.compile(r"[.!?:;][\"'\u201d\u2019)\]]*$")
_FULL_STOP = re.compile(r"[.!?][\"'\u201d\u2019)\]]*$")


@dataclass
class Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float  # the font size of most of its characters
    bold: bool = False
    page: int = 0
    furniture: bool = False  # a running header or footer or a page number
    box: str = ""  # the feature box or sidebar it is printed in (an id per box), "" for the page's own text


@dataclass
class Table:
    rows: list[list[str]]
    page: int = 0


@dataclass
class _Open:
    kind: str
    parts: list[str]
    page: int
    level: int = 0
    indent: float = 0.0  # where a list item's text starts
    rows: list | None = None  # a table's rows
    left: float = 0.0  # the printed extent of its lines so far
    right: float = 0.0
    box: str = ""  # the feature box its lines are printed in

    def take(self, line: Line) -> None:
        self.parts.append(line.text)
        self.left, self.right = min(self.left, line.x0), max(self.right, line.x1)


def mend(left: str, right: str) -> str:
    """Two printed lines as one text: a word hyphenated at the line end is mended unless it is a real compound.

    >>> mend("the experi-", "ence of it"), mend("short-", "term memory"), mend("the end", "of it")
    ('the experience of it', 'short-term memory', 'the end of it')
    """
    m = re.search(r"([A-Za-z]+)-$", left)
    if m and right[:1].islower():
        head, tail = m.group(1), re.match(r"[A-Za-z]*", right).group()
        compound = min(zipf(head.lower()), zipf(tail.lower())) >= 3.0 and zipf((head + tail).lower()) < 3.0
        if not compound:
            return left[:-1] + right
        return left + right
    return left + " " + right


class _Layout:
    """The measures of one document: body font size, heading sizes, usual line spacing, left margin."""

    def __init__(self, lines: list[Line]) -> None:
        sizes = Counter()
        for line in lines:
            sizes[round(line.size, 1)] += len(line.text)
        self.body = sizes.most_common(1)[0][0] if sizes else 10.0
        big = sorted({s for s in sizes if s > self.body * LAYOUT["heading_size_ratio"]}, reverse=True)
        self.levels = {s: i + 1 for i, s in enumerate(big)}
        steps = [b.top - a.top for a, b in zip(lines, lines[1:])
                 if a.page == b.page and abs(a.size - self.body) < 0.5 and abs(b.size - self.body) < 0.5
                 and 0 < b.top - a.top < 3 * self.body]
        self.spacing = statistics.median(steps) if steps else self.body * 1.2
        body_x = [line.x0 for line in lines if abs(line.size - self.body) < 0.5]
        self.left = min(body_x) if body_x else 0.0
        self.right = max((line.x1 for line in lines), default=0.0)

    def heading_level(self, line: Line) -> int:
        words = len(line.text.split())
        if words > LAYOUT["heading_max_words"] or not line.text[:1].isalnum():
            return 0
        if round(line.size, 1) in self.levels:
            return self.levels[round(line.size, 1)]
        if line.bold and not _END.search(line.text) and line.size >= self.body - 0.5:
            return len(self.levels) + 1
        return 0


def _continues(block: _Open, prev: Line, line: Line, lay: _Layout) -> bool:
    """Whether ``line`` goes on with the open block that ``prev`` ended."""
    ended = bool(_END.search(prev.text))
    if line.page != prev.page:
        return block.kind in ("paragraph", "list", "caption") and not ended
    if line.top - prev.top > lay.spacing * LAYOUT["paragraph_gap_ratio"] or abs(line.size - prev.size) > 0.5:
        return False
    if block.kind == "list":
        return line.x0 >= block.indent - 2
    if line.text[:1].islower():
        return True
    # Lines are measured against the block's own extent, so a boxed feature or an indented quotation (narrower
    # than the page) reads like the body; a one-line block is measured against the page.
    left, right = (block.left, block.right) if len(block.parts) > 1 else (lay.left, lay.right)
    short = prev.x1 < left + 0.7 * (right - left) and (len(block.parts) > 1 or prev.x0 <= lay.left + 2)
    if ended and line.x0 > min(prev.x0, block.left) + LAYOUT["indent_points"] or _FULL_STOP.search(prev.text) and short:
        return False  # an indented first line, or a short last line before it
    return True


def assemble(items: list[Line | Table]) -> Document:
    """The blocks of a document from its lines and tables in reading order (see the module's docstring)."""
    lines = [i for i in items if isinstance(i, Line) and not i.furniture]
    lay = _Layout(lines)
    out, pending = Builder(), []
    block: _Open | None = None
    prev: Line | None = None

    def flush() -> None:
        nonlocal block
        if block and block.kind == "table":
            out.table(block.rows, page=block.page)
        elif block:
            text = block.parts[0]
            for part in block.parts[1:]:
                text = mend(text, part)
            out.add(block.kind, text, level=block.level, page=block.page, box=block.box)
        block = None
        for kind, text, page in pending:
            out.add(kind, text, page=page)
        pending.clear()

    for item in items:
        if isinstance(item, Table):
            if block and block.kind == "table" and item.page > block.page and len(item.rows[0]) == len(block.rows[0]):
                block.rows += item.rows  # a table that goes on over the page
                continue
            flush()
            block = _Open("table", [], item.page, rows=list(item.rows))
            continue
        if item.furniture:
            pending.append(("furniture", item.text, item.page))
            continue
        block, prev = _place(item, block, prev, lay, flush)
    flush()
    return out.document()


def _place(line: Line, block: _Open | None, prev: Line | None, lay: _Layout, flush) -> tuple[_Open, Line]:
    """Adds one line to the open block or starts a new one (after ``flush`` ing the old). A feature box's lines
    never join the page's text, and its first line, when short and unpunctuated, is its label (a heading of the
    box, so the box is a section of its own)."""
    entering = line.box and (prev is None or prev.box != line.box)
    if (prev is not None and prev.box != line.box) or entering:
        flush()
        block, prev = None, None
        if entering and len(line.text.split()) <= LAYOUT["heading_max_words"] and not _END.search(line.text):
            return _Open("heading", [line.text], line.page, lay.heading_level(line) or 6, left=line.x0,
                         right=line.x1, box=line.box), line
    opened = _open_block(line, block, prev, lay, flush)
    opened[0].box = line.box
    return opened


def _open_block(line: Line, block: _Open | None, prev: Line | None, lay: _Layout, flush) -> tuple[_Open, Line]:
    level = lay.heading_level(line)
    bullet = GLYPH.match(line.text) or (BULLET.match(line.text) and (prev is None or _END.search(prev.text)
                                                                      or (block and block.kind != "paragraph")))
    if level and not bullet:
        if block and block.kind == "heading" and block.level == level and prev and line.page == prev.page \
                and line.top - prev.top <= 1.35 * line.size:
            block.take(line)  # a heading printed on two lines
            return block, line
        flush()
        return _Open("heading", [line.text], line.page, level, left=line.x0, right=line.x1), line
    if bullet:
        flush()
        text = line.text[bullet.end():]
        indent = line.x0 + (line.x1 - line.x0) * (bullet.end() / max(len(line.text), 1))
        return _Open("list", [text], line.page, indent=indent, left=line.x0, right=line.x1), line
    goes_on = bool(block) and block.kind not in ("heading", "table") and _continues(block, prev, line, lay)
    if PATTERNS["caption"].match(line.text) and not (goes_on and not _END.search(prev.text)):
        flush()  # "Figure 2. ..." starts a caption, unless a sentence broke just before it
        return _Open("caption", [line.text], line.page, left=line.x0, right=line.x1), line
    if goes_on:
        block.take(line)
        return block, line
    flush()
    return _Open("paragraph", [line.text], line.page, left=line.x0, right=line.x1), line
