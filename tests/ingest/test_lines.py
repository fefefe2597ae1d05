"""Printed lines -> blocks (``documents.lines``), with lines placed by hand: paragraphs told apart by spacing and
by first-line indentation, a boxed feature read as one paragraph, headings by type size, page furniture kept out."""

from tutor.ingest.documents.lines import Line, Table, assemble


def body(text, x0, x1, top, page=1, size=10.0):
    return Line(text, x0, x1, top, top + size, size, page=page)


def paragraphs(doc):
    return doc.of("paragraph")


def test_indented_first_lines_start_paragraphs_without_a_gap():
    lines = [body("First paragraph starts indented and runs the full", 90, 520, 100),
             body("width of the page until it stops.", 72, 300, 113),
             body("Second paragraph is indented as well and runs to", 90, 520, 126),
             body("the right margin before it ends.", 72, 280, 139)]
    assert paragraphs(assemble(lines)) == [
        "First paragraph starts indented and runs the full width of the page until it stops.",
        "Second paragraph is indented as well and runs to the right margin before it ends."]


def test_a_boxed_feature_is_one_paragraph_and_a_gap_ends_it():
    lines = [body("The body text of the handout runs across the whole page and", 72, 520, 100),
             body("ends here.", 72, 130, 113),
             body("Safety first. Always use oven gloves to lift a tin.", 100, 396, 150),
             body("Keep children away from the oven door while baking.", 100, 399, 163),
             body("Turn the oven off after use.", 100, 250, 176),
             body("The body goes on after the box.", 72, 260, 210)]
    assert paragraphs(assemble(lines)) == [
        "The body text of the handout runs across the whole page and ends here.",
        "Safety first. Always use oven gloves to lift a tin. Keep children away from the oven door while baking. "
        "Turn the oven off after use.",
        "The body goes on after the box."]


def test_headings_by_size_with_levels_and_furniture_kept_apart():
    lines = [Line("Baking", 72, 200, 60, 78, 18.0, page=1), Line("Ovens", 72, 150, 90, 104, 14.0, page=1),
             body("An oven must be hot before the loaf goes in, or the", 72, 520, 120),
             Line("Handout", 72, 120, 800, 808, 8.0, page=1, furniture=True),
             body("crust stays pale.", 72, 160, 80, page=2)]
    doc = assemble(lines)
    assert [(b.kind, b.level, doc.text[b.start:b.end]) for b in doc.blocks if b.kind != "furniture"] == [
        ("heading", 1, "Baking"), ("heading", 2, "Ovens"),
        ("paragraph", 0, "An oven must be hot before the loaf goes in, or the crust stays pale.")]
    assert doc.of("furniture") == ["Handout"]


def test_a_table_over_a_page_break_is_one_table():
    doc = assemble([Table([["Loaf", "Minutes"], ["White", "30"]], page=1), Table([["Rye", "50"]], page=2)])
    assert [b.rows for b in doc.blocks] == [(("Loaf", "Minutes"), ("White", "30"), ("Rye", "50"))]
