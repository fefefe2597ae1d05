"""Overlapping passages are shown once (issue 25): a feature box that repeats its paragraph, or two chunks of the
same file covering mostly the same span."""

from tutor.ingest.chunk import Chunk
from tutor.retrieval.passages import Passage, distinct, overlaps


def passage(n, text, source="unit.txt", start=0):
    chunk = Chunk(id=f"c{n}", source=source, title="t", text=text, raw_start=start, raw_end=start + len(text),
                  paragraph=1, sentence_start=0, sentence_end=1, raw=text, unit="u")
    return Passage(n, chunk, 1.0 / n)


def test_a_box_repeating_its_paragraph_is_dropped_and_neighbours_sharing_a_sentence_are_kept():
    para = passage(1, "Tides rise twice a day. The moon pulls the sea. Sailors plan by the tide tables.")
    box = passage(2, "The moon pulls the sea.", source="box.txt")
    neighbour = passage(3, "Sailors plan by the tide tables. Harbours close at low water. Boats wait outside until "
                           "the water rises again in the evening.", start=48)
    other = passage(4, "Storms push water inland.", source="storms.txt")
    assert overlaps(para, box) and not overlaps(para, neighbour)
    assert [p.n for p in distinct([para, box, neighbour, other])] == [1, 3, 4]


def test_spans_of_one_file_overlapping_by_more_than_half_are_one_passage():
    a = passage(1, "x" * 100, start=0)
    b = passage(2, "y" * 100, start=40)   # 60 of 100 characters shared
    c = passage(3, "z" * 100, start=70)   # 30 shared with a
    assert overlaps(a, b) and not overlaps(a, c)
