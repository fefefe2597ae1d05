import logging

import pytest

from tutor.ingest.load import load_corpus

TEXT = "Unit 25 Outcome 1.4. The Common Assessment Framework (CAF) helps agencies share information about a child."


def make_pdf(path, text):
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path))
    c.drawString(72, 720, text)
    c.save()


def make_docx(path, text):
    import docx

    d = docx.Document()
    d.add_paragraph("Safeguarding notes")
    d.add_paragraph(text)
    d.save(str(path))


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "corpus"
    (root / "sub").mkdir(parents=True)
    make_pdf(root / "notes.pdf", TEXT)
    make_docx(root / "sub" / "handout.docx", TEXT)
    (root / "page.html").write_text(f"<html><head><title>Unit page</title><script>var x=1;</script></head>"
                                    f"<body><nav>menu</nav><p>{TEXT}</p></body></html>", encoding="utf-8")
    (root / "readme.md").write_text(f"# Unit notes\n\n{TEXT}\n", encoding="utf-8")
    (root / "plain.txt").write_text(TEXT, encoding="utf-8")
    return root


def test_every_format_loads_with_metadata(corpus):
    docs, skipped = load_corpus(corpus)
    assert skipped == []
    by_name = {d.source.split("/")[-1]: d for d in docs}
    assert set(by_name) == {"notes.pdf", "handout.docx", "page.html", "readme.md", "plain.txt"}
    for d in docs:
        assert "Common Assessment Framework" in d.raw_text, d.source
        assert d.meta == {"unit": "25", "outcome": "1.4"}, d.source
        assert d.source.startswith("corpus/")
    assert by_name["handout.docx"].source == "corpus/sub/handout.docx"
    assert "var x" not in by_name["page.html"].raw_text and "menu" not in by_name["page.html"].raw_text
    assert by_name["page.html"].title == "Unit page"
    assert by_name["readme.md"].title == "Unit notes"


def test_bad_files_are_skipped_with_one_warning_each(corpus, caplog):
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4\nthis is not really a pdf\n%%EOF")
    (corpus / "empty.txt").write_text("   \n", encoding="utf-8")
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02binary\x00")
    (corpus / "broken.docx").write_bytes(b"PK not a zip")
    (corpus / "image.png").write_bytes(b"\x89PNG\r\n")
    with caplog.at_level(logging.WARNING, logger="tutor"):
        docs, skipped = load_corpus(corpus)
    assert len(docs) == 5
    reasons = {path.split("/")[-1]: reason for path, reason in skipped}
    assert set(reasons) == {"broken.pdf", "empty.txt", "binary.txt", "broken.docx", "image.png"}
    assert "corrupt PDF" in reasons["broken.pdf"] and "empty" in reasons["empty.txt"]
    assert "binary" in reasons["binary.txt"] and "unsupported" in reasons["image.png"]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 5 and all(w.startswith("skipped ") for w in warnings)
