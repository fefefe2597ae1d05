"""Loading a course: every format, units from folders and unit.toml, and only safe, regular files."""

import logging
import os

import pytest

from tutor.errors import ConfigError
from tutor.ingest.load import load_corpus

TEXT = "The opportunity cost of a choice is the value of the best alternative given up when the choice is made."


def make_pdf(path, text):
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path))
    c.drawString(72, 720, text)
    c.save()


def make_docx(path, text):
    import docx

    d = docx.Document()
    d.add_paragraph("Study notes")
    d.add_paragraph(text)
    d.save(str(path))


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "corpus"
    (root / "economics" / "sub").mkdir(parents=True)
    make_pdf(root / "economics" / "notes.pdf", TEXT)
    make_docx(root / "economics" / "sub" / "handout.docx", TEXT)
    (root / "economics" / "page.html").write_text(
        f"<html><head><title>Unit page</title><script>var x=1;</script></head><body><nav>menu</nav><p>{TEXT}</p>"
        "</body></html>", encoding="utf-8")
    (root / "economics" / "unit.toml").write_text('title = "Choices and costs"\ncode = "EC1"\nattribution = "SOURCE.md"\n',
                                                  encoding="utf-8")
    (root / "economics" / "SOURCE.md").write_text("Licensed CC BY 4.0 by its authors.", encoding="utf-8")
    (root / "readme.md").write_text(f"# Reading notes\n\n{TEXT}\n", encoding="utf-8")
    (root / "plain.txt").write_text(TEXT, encoding="utf-8")
    return root


def test_every_format_loads_into_its_unit(corpus):
    loaded = load_corpus(corpus)
    assert loaded.skipped == []
    by_name = {d.source.split("/")[-1]: d for d in loaded.docs}
    assert set(by_name) == {"notes.pdf", "handout.docx", "page.html", "readme.md", "plain.txt"}  # not SOURCE.md
    for d in loaded.docs:
        assert "opportunity cost" in d.raw_text, d.source
        assert d.source.startswith("corpus/")
    assert by_name["handout.docx"].source == "corpus/economics/sub/handout.docx"
    assert {d.unit for d in loaded.docs} == {"economics", "readme", "plain"}  # a bare file is a unit of its own
    assert by_name["notes.pdf"].title == "Choices and costs" and by_name["notes.pdf"].meta == {"code": "EC1"}
    assert by_name["readme.md"].title == "Reading notes"  # no unit.toml: the title comes from the text
    assert loaded.units["economics"].attribution == "SOURCE.md"
    assert "var x" not in by_name["page.html"].raw_text and "menu" not in by_name["page.html"].raw_text


def test_bad_files_are_skipped_with_one_warning_each(corpus, caplog):
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4\nthis is not really a pdf\n%%EOF")
    (corpus / "empty.txt").write_text("   \n", encoding="utf-8")
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02binary\x00")
    (corpus / "broken.docx").write_bytes(b"PK not a zip")
    (corpus / "image.png").write_bytes(b"\x89PNG\r\n")
    with caplog.at_level(logging.WARNING, logger="tutor"):
        loaded = load_corpus(corpus)
    assert len(loaded.docs) == 5
    reasons = {path.split("/")[-1]: reason for path, reason in loaded.skipped}
    assert set(reasons) == {"broken.pdf", "empty.txt", "binary.txt", "broken.docx", "image.png"}
    assert "corrupt PDF" in reasons["broken.pdf"] and "empty" in reasons["empty.txt"]
    assert "binary" in reasons["binary.txt"] and "unsupported" in reasons["image.png"]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 5 and all(w.startswith("skipped ") for w in warnings)


def test_only_regular_files_inside_the_corpus_are_read(corpus, tmp_path, caplog):
    secret = tmp_path / "outside.txt"
    secret.write_text("A system file outside the corpus must never be indexed.", encoding="utf-8")
    os.symlink(secret, corpus / "escape.txt")
    os.symlink(corpus / "plain.txt", corpus / "alias.txt")  # a link that stays inside is fine
    os.symlink(tmp_path / "missing.txt", corpus / "dangling.txt")
    os.mkfifo(corpus / "pipe.txt")
    locked = corpus / "locked"
    locked.mkdir()
    (locked / "inside.txt").write_text(TEXT, encoding="utf-8")
    (corpus / ".hidden.txt").write_text(TEXT, encoding="utf-8")
    locked.chmod(0)
    try:
        with caplog.at_level(logging.WARNING, logger="tutor"):
            loaded = load_corpus(corpus)
    finally:
        locked.chmod(0o755)
    reasons = {path.split("/")[-1]: reason for path, reason in loaded.skipped}
    assert "outside the corpus folder" in reasons["escape.txt"] and reasons["dangling.txt"] == "broken link"
    assert reasons["pipe.txt"] == "a FIFO" and reasons[".hidden.txt"] == "hidden"
    if os.geteuid() != 0:  # root reads any folder, so only a normal user sees this one refused
        assert reasons["locked"].startswith("unreadable folder")
    assert all("outside" not in d.raw_text for d in loaded.docs)
    assert any(d.source.endswith("alias.txt") for d in loaded.docs)
    assert "escape.txt" in caplog.text and "pipe.txt" in caplog.text


def test_text_in_another_encoding_is_decoded_and_logged(corpus, caplog):
    (corpus / "latin.txt").write_bytes("Café prices rose; the déjà vu of 1970s inflation returned.".encode("latin-1"))
    with caplog.at_level(logging.INFO, logger="tutor"):
        loaded = load_corpus(corpus)
    doc = next(d for d in loaded.docs if d.source.endswith("latin.txt"))
    assert "Café" in doc.raw_text and "déjà vu" in doc.raw_text
    assert "latin.txt is not UTF-8: decoded as" in caplog.text


def test_a_bad_unit_toml_says_what_is_wrong(corpus):
    (corpus / "economics" / "unit.toml").write_text('title = "x"\ncolour = "blue"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown keys colour"):
        load_corpus(corpus)
