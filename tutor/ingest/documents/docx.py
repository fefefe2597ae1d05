"""Word (.docx) -> ``Document`` with python-docx: paragraphs and tables in body order, headings from the heading
styles (Title is level 1, "Heading n" level n + 1), list items from list styles or numbering, captions from the
Caption style, and the section headers and footers as furniture at the end (kept out of the index).
"""

from __future__ import annotations

import re

from ..structure import PATTERNS
from .blocks import Builder, Document

_HEADING = re.compile(r"^(?:heading|überschrift|titre)\s*(\d)$", re.I)


def _kind(paragraph, text: str) -> tuple[str, int]:
    """(block kind, heading level) of one Word paragraph."""
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    if style.lower() == "title":
        return "heading", 1
    m = _HEADING.match(style.strip())
    if m:
        return "heading", int(m.group(1)) + 1
    level = _outline_level(paragraph)
    if level is not None:
        return "heading", level + 2
    if style.lower() == "caption" or PATTERNS["caption"].match(text):
        return "caption", 0
    p_pr = paragraph._p.pPr
    if "list" in style.lower() or (p_pr is not None and p_pr.numPr is not None):
        return "list", 0
    return "paragraph", 0


def _outline_level(paragraph) -> int | None:
    """A paragraph formatted directly as an outline level (a heading without a heading style)."""
    p_pr = paragraph._p.pPr
    node = p_pr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}outlineLvl") \
        if p_pr is not None else None
    if node is None:
        return None
    value = node.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val")
    return int(value) if value and value.isdigit() and int(value) < 9 else None


def _rows(table) -> list[list[str]]:
    rows = []
    for row in table.rows:
        cells, last = [], None
        for cell in row.cells:
            if cell._tc is last:
                continue  # a merged cell appears once per grid column it spans
            last = cell._tc
            cells.append(" ".join(cell.text.split()))
        rows.append(cells)
    return rows


def read_docx(path) -> Document:
    import docx
    from docx.table import Table

    document = docx.Document(str(path))
    out = Builder()
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            out.table(_rows(item))
            continue
        text = " ".join(item.text.split())
        if text:
            kind, level = _kind(item, text)
            out.add(kind, text, level=level)
    seen = set()
    for section in document.sections:
        for part in (section.header, section.footer, section.first_page_header, section.first_page_footer):
            if part is None or part.is_linked_to_previous and seen:
                continue
            for p in part.paragraphs:
                text = " ".join(p.text.split())
                if text and text not in seen:
                    seen.add(text)
                    out.add("furniture", text)
    return out.document()
