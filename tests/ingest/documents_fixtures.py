"""Small course documents built in a test's temporary folder: a two-page PDF handout (running header, "Page N
of M" footer, a title, headings, a paragraph hyphenated at a line end, a paragraph that runs over the page, a
bulleted list, a ruled table and a figure caption), the same as a Word file with heading styles, and as a saved
web page with navigation and a footer. The topic is bread baking, far from any unit of the course."""

from __future__ import annotations

HEADER = "Baking Course Handout"
TITLE = "Bread Basics"
SECTION = "Mixing the Dough"
SECTION_2 = "Proving and Baking"
PARA_1 = ("Flour, water, salt and yeast are mixed until the gluten forms a strong network. A dough that is "
          "kneaded for ten minutes traps the gas that the yeast makes.")
LINES_1 = ["Flour, water, salt and yeast are mixed until the gluten forms a", "strong network. A dough that is kneaded for ten minutes traps the",
           "gas that the yeast makes."]
PARA_2 = "Bakers often add a little fat to the dough because fat keeps the crumb soft for several days."
LINES_2 = ["Bakers often add a little fat to the dough because fat keeps the", "crumb soft for several days."]
HYPHENATED = ["A long, cool rise lets the dough develop flavour; this tempera-",
              "ture control is why many bakers prove their loaves overnight."]
ACROSS = ["The oven should be heated well before the loaf goes in, since a hot",  # page 1, last body lines
          "oven gives the crust its colour and the loaf its rise in the first"]
ACROSS_2 = ["minutes of baking, when the trapped gas expands quickly."]  # page 2, first body line
BULLETS = ["Weigh every ingredient before you start mixing.", "Keep the salt away from the yeast at first."]
ROWS = [["Loaf", "Oven (C)", "Minutes"], ["White tin", "220", "30"], ["Rye", "200", "50"]]
CAPTION = "Figure 1. A loaf cooling on a wire rack after baking."
PARAGRAPHS = [PARA_1, PARA_2]


def _lines(c, lines, y, size=10, leading=13, x=72):
    c.setFont("Helvetica", size)
    for line in lines:
        c.drawString(x, y, line)
        y -= leading
    return y


def _furniture(c, page, pages):
    c.setFont("Helvetica", 8)
    c.drawString(72, 810, HEADER)
    c.drawRightString(523, 30, f"Page {page} of {pages}")


def make_pdf(path) -> None:
    from reportlab.lib import colors
    from reportlab.pdfgen import canvas
    from reportlab.platypus import Table, TableStyle

    c = canvas.Canvas(str(path), pagesize=(595, 842))
    _furniture(c, 1, 2)
    c.setFont("Helvetica-Bold", 18)
    c.drawString(72, 760, TITLE)
    c.setFont("Helvetica-Bold", 14)
    c.drawString(72, 730, SECTION)
    y = _lines(c, LINES_1, 705) - 8
    y = _lines(c, LINES_2, y) - 8
    y = _lines(c, HYPHENATED, y) - 8
    for bullet in BULLETS:
        c.setFont("Helvetica", 10)
        c.drawString(76, y, "\u2022")
        y = _lines(c, [bullet], y, x=90) - 4
    _lines(c, ACROSS, 130)
    c.showPage()
    _furniture(c, 2, 2)
    y = _lines(c, ACROSS_2, 770) - 12
    c.setFont("Helvetica-Bold", 14)
    c.drawString(72, y, SECTION_2)
    table = Table(ROWS)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
    w, h = table.wrapOn(c, 400, 200)
    table.drawOn(c, 72, y - 30 - h)
    _lines(c, [CAPTION], y - 60 - h)
    c.showPage()
    c.save()


def make_scanned_pdf(path, tmp_path) -> None:
    """A PDF whose only page is a picture of text: no text layer at all."""
    from PIL import Image, ImageDraw
    from reportlab.pdfgen import canvas

    image = Image.new("RGB", (400, 120), "white")
    ImageDraw.Draw(image).text((10, 50), "A scanned page of notes", fill="black")
    png = tmp_path / "scan.png"
    image.save(png)
    c = canvas.Canvas(str(path))
    c.drawImage(str(png), 72, 600, width=400, height=120)
    c.showPage()
    c.save()


def make_docx(path) -> None:
    import docx

    d = docx.Document()
    d.add_heading(TITLE, level=0)
    d.add_heading(SECTION, level=1)
    for para in PARAGRAPHS:
        d.add_paragraph(para)
    for bullet in BULLETS:
        d.add_paragraph(bullet, style="List Bullet")
    d.add_heading(SECTION_2, level=1)
    table = d.add_table(rows=0, cols=3, style="Table Grid")
    for row in ROWS:
        for cell, value in zip(table.add_row().cells, row):
            cell.text = value
    d.add_paragraph(CAPTION, style="Caption")
    d.sections[0].header.paragraphs[0].text = HEADER
    d.sections[0].footer.paragraphs[0].text = "Page 1"
    d.save(str(path))


def make_html(path) -> None:
    rows = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in ROWS)
    path.write_text(
        f"<html><head><title>{TITLE} | VLE</title></head><body>"
        f'<div class="site-menu"><a href="/">Dashboard</a> <a href="/courses">My courses</a></div>'
        f"<nav><ul><li>Home</li><li>Calendar</li></ul></nav><main><h1>{TITLE}</h1><h2>{SECTION}</h2>"
        + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
        + "<ul>" + "".join(f"<li>{b}</li>" for b in BULLETS) + "</ul>"
        + f"<h2>{SECTION_2}</h2><table>{rows}</table><figure><figcaption>{CAPTION}</figcaption></figure></main>"
        + "<footer><p>Copyright the college. Accessibility statement.</p></footer></body></html>",
        encoding="utf-8")
