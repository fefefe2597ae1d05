"""A text unit's blocks as a multi-page PDF with reportlab: A4, a running header (the title), a "Page N of M"
footer, headings in larger bold type, bulleted list items and ruled tables. Used by ``render.py``."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

_FONTS = Path("/usr/share/fonts/truetype/dejavu")


def _fonts() -> tuple[str, str]:
    """A Unicode font when the system has DejaVu (curly quotes, dashes, symbols), else Helvetica."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if (_FONTS / "DejaVuSans.ttf").exists() and (_FONTS / "DejaVuSans-Bold.ttf").exists():
        if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont("DejaVuSans", str(_FONTS / "DejaVuSans.ttf")))
            pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(_FONTS / "DejaVuSans-Bold.ttf")))
        return "DejaVuSans", "DejaVuSans-Bold"
    return "Helvetica", "Helvetica-Bold"


def _flowables(blocks, regular: str, bold: str) -> list:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, Table, TableStyle

    body = ParagraphStyle("body", fontName=regular, fontSize=10, leading=13, spaceAfter=7)
    cell = ParagraphStyle("cell", parent=body, spaceAfter=0)
    item = ParagraphStyle("item", parent=body, leftIndent=16, bulletIndent=4, bulletFontName=regular, spaceAfter=3)
    heads = {n: ParagraphStyle(f"h{n}", fontName=bold, fontSize=size, leading=size * 1.25, spaceBefore=10,
                               spaceAfter=6) for n, size in ((1, 18), (2, 14), (3, 12), (4, 11))}
    out = []
    for kind, text, level in blocks:
        if kind == "table":
            rows = [[Paragraph(escape(c), cell) for c in r] for r in text]
            table = Table(rows, hAlign="LEFT", repeatRows=0)
            table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey)]))
            out.append(table)
        elif kind == "heading":
            out.append(Paragraph(escape(text), heads[min(max(level, 1), 4)]))
        elif kind == "list":
            out.append(Paragraph(escape(text), item, bulletText="\u2022"))
        else:
            out.append(Paragraph(escape(text), body))
    return out


def render(blocks, title: str, target: Path) -> None:
    """Builds twice: the first pass counts the pages that the footer's "of M" needs."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate

    regular, bold = _fonts()
    total = [0]

    def furniture(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(regular, 8)
        canvas.drawString(doc.leftMargin, A4[1] - 40, title[:90])
        canvas.drawRightString(A4[0] - doc.rightMargin, 30, f"Page {doc.page} of {total[0] or doc.page}")
        canvas.restoreState()
        total[1:] = [doc.page]

    for _ in range(2):
        doc = SimpleDocTemplate(str(target), pagesize=A4, topMargin=70, bottomMargin=60, title=title)
        doc.build(_flowables(blocks, regular, bold), onFirstPage=furniture, onLaterPages=furniture)
        total[0] = total[-1]
