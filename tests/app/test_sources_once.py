"""The sources panel shows overlapping passages once (issue 25): a feature box that repeats its paragraph, or two
chunks covering mostly one span, unless the answer cites both."""

from types import SimpleNamespace

from tutor.app import render
from tutor.types import Citation, shown_once

PARA = "Tides rise twice a day. The moon pulls the sea. Sailors plan by the tide tables."


def cite(n, text, source="unit.txt", start=0):
    return Citation(n=n, chunk_id=f"c{n}", source=source, start=start, end=start + len(text), text=text,
                    score=1.0 / n, display=text, paragraph=n)


PASSAGES = [cite(1, PARA), cite(2, "The moon pulls the sea.", source="box.txt"),
            cite(3, "Storms push water inland.", source="storms.txt"), cite(4, PARA[10:], start=10)]


def test_an_uncited_repeat_is_dropped_and_order_is_kept():
    assert [c.n for c in shown_once(PASSAGES, set())] == [1, 3]


def test_a_cited_passage_is_always_shown_and_hides_the_uncited_one_it_repeats():
    assert [c.n for c in shown_once(PASSAGES, {2})] == [2, 3]
    assert [c.n for c in shown_once(PASSAGES, {1, 2})] == [1, 2, 3]


def test_the_panel_has_one_card_per_text_shown():
    answer = SimpleNamespace(citations=[PASSAGES[1]], sentences=[])
    html = render.sources_block(PASSAGES, 1, answer)
    assert html.count('class="passage') == 2
    assert 'id="src-1-2"' in html and 'id="src-1-1"' not in html and 'id="src-1-3"' in html
