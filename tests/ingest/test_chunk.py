
from tutor.ingest.chunk import chunk_document
from tutor.text.sentences import split_sentences
from tutor.ingest.load import load_file

from tests.conftest import CORPUS, UNIT


def spans_text(text):
    return [text[s:e] for s, e in split_sentences(text)]


def test_sentence_splitter_handles_titles_abbreviations_and_bullets():
    text = ("The inquiry was chaired by Lord Laming. It found failings, e.g. in twelve agencies. "
            "Dr. Smith agreed. The purpose is to: • Establish lessons. • Improve working.")
    assert spans_text(text) == ["The inquiry was chaired by Lord Laming.", "It found failings, e.g. in twelve agencies.",
                                "Dr. Smith agreed.", "The purpose is to:", "Establish lessons.", "Improve working."]


def test_unit_chunks_map_back_to_the_raw_file_exactly():
    doc = load_file(UNIT, CORPUS)
    chunks = chunk_document(doc, size=400, overlap=1)
    assert len(chunks) > 10
    for c in chunks:
        assert doc.raw_text[c.raw_start:c.raw_end] == c.raw
        assert c.raw.strip() == c.raw and c.raw
        assert c.sentence_end > c.sentence_start
        assert len(c.sentences) == c.sentence_end - c.sentence_start
    # paragraphs are respected: a chunk never spans a line break of the raw file
    assert all("\n" not in c.raw for c in chunks)
    assert [c.paragraph for c in chunks] == sorted(c.paragraph for c in chunks)
    assert max(c.paragraph for c in chunks) == doc.raw_text.strip().count("\n") + 1


def test_chunk_ids_are_stable_across_rebuilds_and_change_with_content(tmp_path):
    doc = load_file(UNIT, CORPUS)
    first = [c.id for c in chunk_document(doc)]
    second = [c.id for c in chunk_document(load_file(UNIT, CORPUS))]
    assert first == second and len(set(first)) == len(first)
    edited = tmp_path / "corpus" / UNIT.parent.name / UNIT.name
    edited.parent.mkdir(parents=True)
    raw = UNIT.read_text(encoding="utf-8")
    edited.write_text(raw.replace("sixty times", "60 times"), encoding="utf-8")
    changed = [c.id for c in chunk_document(load_file(edited, tmp_path / "corpus"))]
    assert len(set(first) - set(changed)) == 1 or len(set(first) - set(changed)) == 2  # only the edited chunk(s)


def test_size_and_overlap_are_configurable():
    doc = load_file(UNIT, CORPUS)
    small = chunk_document(doc, size=150, overlap=0)
    big = chunk_document(doc, size=1000, overlap=0)
    assert len(small) > len(big)
    overlapping = chunk_document(doc, size=300, overlap=1)
    same_para = [(a, b) for a, b in zip(overlapping, overlapping[1:]) if a.paragraph == b.paragraph]
    assert same_para and all(b.sentence_start == max(a.sentence_start + 1, a.sentence_end - 1) for a, b in same_para)
    assert any(b.sentence_start < a.sentence_end for a, b in same_para)  # sentences really are shared
