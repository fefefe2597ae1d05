"""A feature box or sidebar in a PDF is a section of its own, not filed under the heading before it (issue 25):
drawn as a shaded rectangle, or as a ruled table of one cell. The topic is beekeeping, far from every unit."""

from __future__ import annotations

import pytest

from tutor.ingest.chunk import chunk_document
from tutor.ingest.load import load_corpus

SECTION = "Keeping the Hive"
BEFORE = ["A colony needs a dry hive that faces the morning sun, so that the bees start", "foraging early in the day."]
LABEL = "Try It Yourself"
INSIDE = ["Count the frames that carry capped brood each week for a month, and note", "how the number changes as the weather warms."]
AFTER = ["Beekeepers add a second box when the colony covers most of the frames in the", "first one."]


def _lines(c, lines, y, x=72):
    c.setFont("Helvetica", 10)
    for line in lines:
        c.drawString(x, y, line)
        y -= 13
    return y


def _page(path, ruled: bool):
    from reportlab.lib import colors
    from reportlab.pdfgen import canvas
    from reportlab.platypus import Paragraph, Table, TableStyle
    from reportlab.lib.styles import ParagraphStyle

    c = canvas.Canvas(str(path), pagesize=(595, 842))
    c.setFont("Helvetica-Bold", 18)
    c.drawString(72, 780, "Beekeeping Basics")
    c.setFont("Helvetica-Bold", 14)
    c.drawString(72, 750, SECTION)
    y = _lines(c, BEFORE, 725) - 14
    if ruled:
        style = ParagraphStyle("b", fontName="Helvetica", fontSize=10, leading=13)
        head = ParagraphStyle("h", fontName="Helvetica-Bold", fontSize=10, leading=13)
        cell = [Paragraph(LABEL, head), Paragraph(" ".join(INSIDE), style)]
        table = Table([[cell]], colWidths=[440])
        table.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.8, colors.black)]))
        w, h = table.wrapOn(c, 440, 200)
        table.drawOn(c, 72, y - h)
        y -= h + 20
    else:
        c.setFillColor(colors.HexColor("#e8eef7"))
        c.rect(66, y - 50, 460, 62, stroke=0, fill=1)
        c.setFillColor(colors.black)
        c.setFont("Helvetica-Bold", 10)
        c.drawString(72, y, LABEL)
        y = _lines(c, INSIDE, y - 14) - 20
    _lines(c, AFTER, y)
    c.showPage()
    c.save()


@pytest.mark.parametrize("ruled", [False, True], ids=["shaded", "ruled one-cell table"])
def test_a_feature_box_is_its_own_section(tmp_path, ruled):
    unit = tmp_path / "course" / "bees"
    unit.mkdir(parents=True)
    _page(unit / "handout.pdf", ruled)
    docs = load_corpus(tmp_path / "course").docs
    chunks = chunk_document(docs[0], size=400)
    by_start = {c.text.split()[0] + " " + c.text.split()[1]: c for c in chunks}
    box = next(c for c in chunks if "capped brood" in c.text)
    before = next(c for c in chunks if "morning sun" in c.text)
    after = next(c for c in chunks if "second box" in c.text)
    assert box.section.endswith(f"{SECTION} › {LABEL}"), by_start
    assert "morning sun" not in box.text and "capped brood" not in before.text  # the box is not merged into the flow
    assert before.section.endswith(SECTION) and after.section.endswith(SECTION)  # the flow's heading goes on
    assert "capped brood" not in after.text
