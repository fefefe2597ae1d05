"""PDF -> ``Document`` with pdfplumber (MIT, on pdfminer.six): printed lines with their position, size and font,
tables found from their ruling, and page furniture (running headers, footers, page numbers) marked by where it
sits and that it repeats from page to page. ``lines.assemble`` then rejoins the lines into blocks.

pdfplumber was chosen over pypdf's text extraction (plain or layout mode) because it gives each line's position,
font size and font name, which is what paragraphs, headings and furniture are read from, and finds ruled tables;
pypdf gives a page of text lines without them (see the README, "A course of units").
"""

from __future__ import annotations

import re
import statistics
from collections import Counter

from .blocks import Document, SkipFile
from .lines import LAYOUT, Line, Table, assemble

PAGE_NUMBER = re.compile(LAYOUT["page_number"])


def _inside(obj: dict, boxes: list[tuple]) -> bool:
    mid_x, mid_y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= mid_x <= x1 and top <= mid_y <= bottom for x0, top, x1, bottom in boxes)


def _line(raw: dict, page: int) -> Line:
    chars = [c for c in raw.get("chars", []) if c.get("text", "").strip()]
    size = statistics.median([c["size"] for c in chars]) if chars else 0.0
    bold = bool(chars) and all("bold" in c.get("fontname", "").lower() for c in chars)
    return Line(" ".join(raw["text"].split()), raw["x0"], raw["x1"], raw["top"], raw["bottom"], size, bold, page)


def _feature_boxes(page, finder) -> list[tuple]:
    """Rectangles that frame text as a feature box or sidebar: a ruled cell that belongs to no table (pdfplumber
    drops one-cell "tables"), or a shaded or ruled rectangle at least ``box_min_width`` x ``box_min_height``
    points that is not a table."""
    ruled = [t.bbox for t in finder.tables]

    def within(box, frames):
        return any(x0 - 1 <= box[0] and box[2] <= x1 + 1 and top - 1 <= box[1] and box[3] <= bottom + 1
                   for x0, top, x1, bottom in frames)

    candidates = [tuple(c) for c in finder.cells] + [(r["x0"], r["top"], r["x1"], r["bottom"]) for r in page.rects]
    area, found = float(page.width) * float(page.height), []
    for box in candidates:
        w, h = box[2] - box[0], box[3] - box[1]
        if LAYOUT["box_min_width"] <= w and LAYOUT["box_min_height"] <= h and w * h < 0.6 * area \
                and not within(box, ruled) and not within(box, found):
            found.append(box)
    return found


def _page_items(page, number: int) -> list[tuple[float, Line | Table]]:
    """The page's lines and tables, top to bottom (each with its top, for ordering); a line inside a feature box
    carries the box's id."""
    finder = page.debug_tablefinder()  # the tables, and every ruled cell (boxes are cells of no table)
    tables = finder.tables
    frames = _feature_boxes(page, finder)
    boxes = [t.bbox for t in tables]
    items: list[tuple[float, Line | Table]] = [
        (t.bbox[1], Table([[c or "" for c in row] for row in t.extract()], number)) for t in tables]
    for raw in page.extract_text_lines(return_chars=True, strip=True):
        if raw["text"].strip() and not _inside(raw, boxes):
            line = _line(raw, number)
            line.box = next((f"p{number}b{i}" for i, f in enumerate(frames) if _inside(raw, [f])), "")
            items.append((raw["top"], line))
    return sorted(items, key=lambda pair: pair[0])


def _key(line: Line) -> str:
    """What a running header or footer keeps from page to page: its words (any number aside) and type size."""
    return " ".join(re.sub(r"\d+", "#", line.text.casefold()).split()) + f" @{round(line.size)}"


def mark_furniture(pages: list[list[tuple[float, Line | Table]]], heights: list[float]) -> None:
    """Marks lines in a page's top or bottom band that repeat on other pages (digits aside), page numbers, and the
    first line of a one-page document when it is in small type at the top."""
    band = LAYOUT["margin_band"]

    def in_band(item, height):
        return isinstance(item, Line) and (item.bottom < height * band or item.top > height * (1 - band))

    seen, sizes = Counter(), Counter()
    for items, height in zip(pages, heights):
        seen.update({_key(i) for _, i in items if in_band(i, height)})
        sizes.update({round(i.size): len(i.text) for _, i in items if isinstance(i, Line)})
    body = sizes.most_common(1)[0][0] if sizes else 0
    for items, height in zip(pages, heights):
        for n, (_, item) in enumerate(items):
            small_top = n == 0 and len(pages) == 1 and in_band(item, height) and item.top < height / 2 and item.size < body
            if in_band(item, height) and (PAGE_NUMBER.match(item.text) or seen[_key(item)] >= 2 or small_top):
                item.furniture = True  # a page number, a line every page repeats, a one-page handout's small header


def read_pdf(path) -> Document:
    """The document of a PDF; SkipFile when it cannot be parsed or has no text layer (a scan)."""
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        with pdfplumber.open(str(path)) as pdf:
            pages = [_page_items(page, n) for n, page in enumerate(pdf.pages, 1)]
            heights = [float(page.height) for page in pdf.pages]
            images = sum(len(page.images) for page in pdf.pages)
    except (PDFSyntaxError, ValueError, KeyError, OSError, TypeError) as exc:
        raise SkipFile(f"corrupt PDF ({exc.__class__.__name__}: {exc})") from None
    if not any(isinstance(i, Line) for items in pages for _, i in items):
        if images:
            raise SkipFile("no text layer (the pages are images: a scanned PDF needs OCR before it can be read)")
        raise SkipFile("no text could be extracted")
    mark_furniture(pages, heights)
    return assemble([item for items in pages for _, item in items])
