"""Render a course's text units as PDF, Word and HTML, to measure that the tutor reads every format alike.

Each unit folder is copied to ``OUT/<unit>/`` with its ``unit.toml`` and attribution, and every .txt or .md file
becomes one file of the format, block by block (``ingest.documents.text``): headings with their level, paragraphs,
list items, tables. A PDF has A4 pages with a running header (the unit's title) and a "Page N of M" footer
(reportlab); a Word file has heading styles, list styles, a ruled table, a header and a footer (python-docx); an
HTML page has a navigation menu and a footer around ``<main>``. Nothing here reads eval cases.

    python -m tutor.evals.render OUT [--corpus corpus] [--formats pdf,docx,html]
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
from pathlib import Path

from ..ingest.documents.text import text_document
from ..ingest.structure import PATTERNS
from ..ingest.units import MANIFEST_FILE
from .render_pdf import render as _pdf

FORMATS = ("pdf", "docx", "html")
_MARKS = [(re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"), (re.compile(r"(\*\*|__|\*|`)"), "")]


def plain(line: str, markup: bool) -> str:
    """A line's words without list markers, and without Markdown marks when ``markup``.

    >>> plain("- **Demand** is [the amount](x.html)", True)
    'Demand is the amount'
    """
    line = PATTERNS["list_item"].sub("", PATTERNS["markdown_heading"].sub("", line)).strip()
    if markup:
        for pattern, repl in _MARKS:
            line = pattern.sub(repl, line)
    return line


def parts(raw: str, markup: bool) -> list[tuple[str, object, int]]:
    """(kind, text or table rows, heading level) of each block of a text file, in order."""
    out = []
    for block in text_document(raw, markup).blocks:
        lines = raw[block.start:block.end].split("\n")
        if block.kind == "table":
            rows = [[plain(c, markup) for c in line.strip().strip("|").split("|")] for line in lines]
            out.append(("table", [r for r in rows if not all(set(c.strip()) <= set("-: ") for c in r)], 0))
        elif block.kind == "list":
            out += [("list", plain(line, markup), 0) for line in lines if line.strip()]
        else:
            out.append((block.kind, plain(" ".join(lines), markup), block.level))
    return out


def render_unit(folder: Path, out: Path, fmt: str) -> list[Path]:
    """One unit folder rendered into ``out`` (created): the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(folder.iterdir()):
        if path.name == MANIFEST_FILE or path.name.upper().startswith("SOURCE") or path.suffix not in (".txt", ".md"):
            if path.is_file():
                shutil.copy2(path, out / path.name)
            continue
        blocks = parts(path.read_text(encoding="utf-8", errors="replace"), path.suffix == ".md")
        target = out / f"{path.stem}.{fmt}"
        title = next((t for k, t, _ in blocks if k == "heading"), path.stem)
        {"pdf": _pdf, "docx": _docx, "html": _html}[fmt](blocks, title, target)
        written.append(target)
    return written


def render_course(corpus: Path, out: Path, fmt: str) -> list[Path]:
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {fmt!r}")
    return [p for folder in sorted(corpus.iterdir()) if folder.is_dir() and not folder.name.startswith(".")
            for p in render_unit(folder, out / folder.name, fmt)]


def _html(blocks, title: str, target: Path) -> None:
    body = []
    for kind, text, level in blocks:
        if kind == "table":
            rows = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in text)
            body.append(f"<table>{rows}</table>")
        elif kind == "heading":
            body.append(f"<h{min(level, 6)}>{html.escape(text)}</h{min(level, 6)}>")
        elif kind == "list":
            body.append(f"<ul><li>{html.escape(text)}</li></ul>")
        else:
            body.append(f"<p>{html.escape(text)}</p>")
    nav = '<nav class="course-menu"><ul><li><a href="/">Home</a></li><li><a href="/units">My units</a></li>' \
          '<li><a href="/grades">Grades</a></li></ul></nav>'
    foot = "<footer><p>Virtual learning environment. Accessibility statement. Contact the help desk.</p></footer>"
    target.write_text(f"<!doctype html><html><head><title>{html.escape(title)}</title></head><body>{nav}"
                      f"<main>{''.join(body)}</main>{foot}</body></html>", encoding="utf-8")


def _docx(blocks, title: str, target: Path) -> None:
    import docx

    document = docx.Document()
    for kind, text, level in blocks:
        if kind == "table":
            table = document.add_table(rows=0, cols=max(len(r) for r in text), style="Table Grid")
            for row in text:
                cells = table.add_row().cells
                for cell, value in zip(cells, row):
                    cell.text = value
        elif kind == "heading":
            document.add_heading(text, level=min(level - 1, 8))
        else:
            document.add_paragraph(text, style="List Bullet" if kind == "list" else None)
    section = document.sections[0]
    section.header.paragraphs[0].text = title
    section.footer.paragraphs[0].text = "Course handout: for learners of this college"
    document.save(str(target))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tutor.evals.render", description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--corpus", type=Path, default=Path("corpus"))
    parser.add_argument("--formats", default=",".join(FORMATS))
    args = parser.parse_args(argv)
    for fmt in args.formats.split(","):
        for path in render_course(args.corpus, args.out / fmt, fmt.strip()):
            print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
