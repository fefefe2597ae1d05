"""Study aids from a PDF handout: quiz items and starter questions come from whole sentences only, never a line
fragment, a heading, a caption, page furniture or a bullet glyph."""

from __future__ import annotations

import pytest

from tests.ingest import documents_fixtures as fx
from tutor.ingest.chunk import Chunk, chunk_document
from tutor.ingest.load import load_corpus
from tutor.study.glossary import glossary
from tutor.study.items import make_items
from tutor.study.starters import starter_questions
from tutor.text.sentences import complete


@pytest.fixture(scope="module")
def chunks(tmp_path_factory):
    unit = tmp_path_factory.mktemp("study") / "corpus" / "bread"
    unit.mkdir(parents=True)
    fx.make_pdf(unit / "handout.pdf")
    doc = load_corpus(unit.parent).docs[0]
    return chunk_document(doc, 400, 1)


def fragment_chunk() -> Chunk:
    """What a line-by-line reader made of a handout: a glyph, a half line, a caption and a heading as body text."""
    parts = ["\u2022 Weigh every ingredient before", "of the Bakers Guild and the Rye Council in the table",
             "Figure 2 The Bakers Guild Oven", "Proving and Baking at the Bakers Guild"]
    text = " ".join(parts)
    spans, pos = [], 0
    for p in parts:
        spans.append((pos, pos + len(p)))
        pos += len(p) + 1
    return Chunk("frag", "u.pdf", "U", text, 0, len(text), 1, 0, len(parts), text, spans, roles=["body"] * 4)


def test_quiz_items_are_whole_sentences(chunks):
    items = make_items(chunks + [fragment_chunk()])
    assert items  # the handout has sentences worth asking about
    for item in items:
        assert complete(item.sentence) and "\u2022" not in item.sentence
        assert item.sentence not in (fx.TITLE, fx.SECTION, fx.SECTION_2, fx.CAPTION, fx.HEADER)
        assert not item.sentence.startswith(("Page ", "Figure"))
    assert not [i for i in items if i.chunk_id == "frag"]
    assert any(f"{fx.TITLE} › {fx.SECTION}, page 1, paragraph" in i.citation for i in items)


def test_starters_and_glossary_leave_fragments_out(chunks):
    questions = starter_questions(chunks + [fragment_chunk()])
    for q in questions:
        assert "Bakers Guild" not in q and "Rye Council" not in q and " by in " not in q
        assert "\u2022" not in q
    assert all(complete(e.sentence) or ":" in e.sentence for e in glossary(chunks))


def test_complete_tells_a_sentence_from_a_fragment():
    assert complete(fx.PARA_2)
    assert not complete(fx.LINES_1[0])  # a printed line, cut mid-sentence
    assert not complete("\u2022 " + fx.BULLETS[0])
    assert not complete(fx.SECTION)
