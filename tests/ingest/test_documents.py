"""Documents as colleges have them: a PDF handout, a Word file and a saved web page are read as headings,
paragraphs, lists, tables and captions, without their page furniture, and every chunk keeps its exact span, its
section path and (for a PDF) its page."""

from __future__ import annotations

import pytest

from tests.ingest import documents_fixtures as fx
from tutor.app.render import passage_card
from tutor.ingest.chunk import chunk_document
from tutor.ingest.load import load_corpus
from tutor.ingest.readers import read
from tutor.pipeline import citation
from tutor.retrieval.passages import Passage

UNIT_TITLE = "Kitchen Skills"


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("docs") / "corpus"
    for fmt, make in (("pdf", fx.make_pdf), ("docx", fx.make_docx), ("html", fx.make_html)):
        unit = root / f"bread-{fmt}"
        unit.mkdir(parents=True)
        (unit / "unit.toml").write_text(f'title = "{UNIT_TITLE}"\n', encoding="utf-8")
        make(unit / f"handout.{fmt}")
    loaded = load_corpus(root)
    return {d.unit.split("-")[1]: (d, chunk_document(d, 400, 1)) for d in loaded.docs}


FORMATS = ["pdf", "docx", "html"]


def body(doc) -> str:
    return " ".join(doc.raw_text[b.start:b.end] for b in doc.blocks if b.kind != "furniture")


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_chunk_quotes_its_exact_span(course, fmt):
    doc, chunks = course[fmt]
    assert chunks
    for c in chunks:
        assert doc.raw_text[c.raw_start:c.raw_end] == c.raw


@pytest.mark.parametrize("fmt", FORMATS)
def test_paragraphs_are_whole_and_headings_make_the_section_path(course, fmt):
    doc, chunks = course[fmt]
    paragraphs = [doc.raw_text[b.start:b.end] for b in doc.blocks if b.kind == "paragraph"]
    for para in fx.PARAGRAPHS:
        assert para in paragraphs  # printed lines rejoined into the paragraph, nothing more, nothing less
    first = next(c for c in chunks if c.text.startswith("Flour, water"))
    assert first.section == f"{fx.TITLE} › {fx.SECTION}"
    table = next(c for c in chunks if "table" in c.roles)
    assert table.section == f"{fx.TITLE} › {fx.SECTION_2}"


@pytest.mark.parametrize("fmt", FORMATS)
def test_furniture_and_menus_are_left_out(course, fmt):
    doc, chunks = course[fmt]
    text = " ".join(c.text for c in chunks)
    for furniture in (fx.HEADER, "Page 1", "Dashboard", "Calendar", "Copyright"):
        assert furniture not in text
    assert all("\u2022" not in c.text for c in chunks)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_table_is_kept_whole_and_lists_and_captions_are_typed(course, fmt):
    doc, chunks = course[fmt]
    tables = [b for b in doc.blocks if b.kind == "table"]
    assert len(tables) == 1 and [list(r) for r in tables[0].rows] == fx.ROWS
    assert [c for c in chunks if "table" in c.roles][0].roles == ["table"] * len(fx.ROWS)
    assert doc.raw_text.count(fx.ROWS[1][0]) == 1
    lists = [doc.raw_text[b.start:b.end] for b in doc.blocks if b.kind == "list"]
    assert lists == [f"- {b}" for b in fx.BULLETS]  # "- item", as in a text file; never the glyph
    assert fx.CAPTION in [doc.raw_text[b.start:b.end] for b in doc.blocks if b.kind == "caption"]


def test_pdf_lines_rejoin_across_a_hyphen_and_a_page(course):
    doc, chunks = course["pdf"]
    assert "this temperature control is why" in body(doc) and "tempera-" not in body(doc)
    across = " ".join(fx.ACROSS + fx.ACROSS_2)
    block = next(b for b in doc.blocks if doc.raw_text[b.start:b.end] == across)
    assert block.page == 1  # where the paragraph starts
    assert [b.page for b in doc.blocks if b.kind == "table"] == [2]
    assert all(b.page in (1, 2) for b in doc.blocks)


def test_pdf_citations_name_the_section_and_the_page(course):
    doc, chunks = course["pdf"]
    table = next(c for c in chunks if "table" in c.roles)
    cited = citation(Passage(1, table, 0.5))
    assert (cited.section, cited.page) == (f"{fx.TITLE} › {fx.SECTION_2}", 2)
    assert cited.location == f"{UNIT_TITLE} › {fx.TITLE} › {fx.SECTION_2} › page 2".replace(UNIT_TITLE, table.unit)
    assert cited.text == doc.raw_text[cited.start:cited.end]
    card = passage_card(cited, 1)
    assert f"{fx.SECTION_2} › page 2" in card and "paragraph" in card  # the app shows where the passage is
    assert {c.page for c in chunks} == {1, 2}
    assert all(c.page == 0 for c in course["docx"][1] + course["html"][1])


def test_pdf_furniture_is_found_by_repetition_and_page_numbers(course):
    doc, _ = course["pdf"]
    furniture = [doc.raw_text[b.start:b.end] for b in doc.blocks if b.kind == "furniture"]
    assert furniture.count(fx.HEADER) == 2 and {"Page 1 of 2", "Page 2 of 2"} <= set(furniture)
    assert fx.TITLE not in furniture  # at the top of page 1, but it does not repeat


def test_a_scanned_pdf_is_reported_by_name(tmp_path):
    unit = tmp_path / "corpus" / "scans"
    unit.mkdir(parents=True)
    fx.make_scanned_pdf(unit / "scan.pdf", tmp_path)
    fx.make_docx(unit / "notes.docx")
    loaded = load_corpus(tmp_path / "corpus")
    assert [d.source for d in loaded.docs] == ["corpus/scans/notes.docx"]
    reasons = dict(loaded.skipped)
    assert "no text layer" in reasons[str(unit / "scan.pdf")]


def test_the_same_text_reads_alike_in_every_format(course):
    texts = {fmt: [c.text for c in course[fmt][1] if "table" not in c.roles] for fmt in FORMATS}
    assert texts["pdf"][:4] == texts["docx"][:4] == texts["html"][:4]


def test_a_plain_text_file_gets_sections_too(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text(f"# {fx.TITLE}\n\n## {fx.SECTION}\n\n{fx.PARA_1}\n\n## {fx.SECTION_2}\n\n{fx.PARA_2}\n",
                    encoding="utf-8")
    doc = read(path, path.read_bytes())
    assert [b.kind for b in doc.blocks] == ["heading", "heading", "paragraph", "heading", "paragraph"]
    assert doc.text == path.read_text(encoding="utf-8")  # a text file's text is the file itself


def test_a_saved_vle_page_keeps_its_title_and_content_only(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(
        '<html><body><div id="page-header"><div class="breadcrumb">Home / Courses / Bread</div>'
        f'<h1>{fx.TITLE}</h1></div><div class="skip-links"><a href="#c">Skip to main content</a></div>'
        '<div class="wrapper"><aside class="block">Upcoming events</aside><div role="main">'
        f"<h2>{fx.SECTION}</h2><p>{fx.PARA_1}</p><ul><li>{fx.BULLETS[0]}<ul><li>{fx.BULLETS[1]}</li></ul></li></ul>"
        '</div></div><div class="footer-links">Privacy notice</div></body></html>', encoding="utf-8")
    doc = read(path, path.read_bytes())
    assert [(b.kind, doc.text[b.start:b.end]) for b in doc.blocks] == [
        ("heading", fx.TITLE), ("heading", fx.SECTION), ("paragraph", fx.PARA_1), ("list", f"- {fx.BULLETS[0]}"),
        ("list", f"- {fx.BULLETS[1]}")]
