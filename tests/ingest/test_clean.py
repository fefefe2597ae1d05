import pytest

from tutor.ingest.clean import clean, split_glued

from tests.conftest import UNIT


@pytest.mark.parametrize("glued, fixed", [
    ("suspectedsuicide", "suspected suicide"),
    ("thewelfare", "the welfare"),
    ("intofamilylife", "into family life"),
    ("Thechild protectionservices", "The child protection services"),
    ("governance andaccountabilityarrangements are", "governance and accountability arrangements are"),
    ("Unit 25Understand how", "Unit 25 Understand how"),
])
def test_glued_words_are_split(glued, fixed):
    assert clean(glued).text == fixed


@pytest.mark.parametrize("word", ["welfare", "safeguarding", "Haringey", "Climbie", "Connelly", "Laming",
                                  "Wakefield", "whistle", "LSCB", "nationwide", "castigated", "unincorporated"])
def test_real_words_and_names_are_left_alone(word):
    assert split_glued(word) == (word,)
    assert clean(f"It was {word} again.").text == f"It was {word} again."


def test_quotes_and_whitespace_are_normalised():
    c = clean("the “ Every Child Matters” services, SCR’s   are\n\n undertaken; Outcome 1. 4")
    assert c.text == 'the "Every Child Matters" services, SCR\'s are\nundertaken; Outcome 1.4'


def test_every_clean_character_maps_back_to_the_raw_file():
    raw = UNIT.read_text(encoding="utf-8")
    c = clean(raw)
    assert len(c.offsets) == len(c.text)
    assert c.offsets == tuple(sorted(c.offsets))
    for i, ch in enumerate(c.text):
        src = raw[c.offsets[i]]
        if ch.isalnum():
            assert src == ch
    # the repaired words are all there, and none of the glued ones remain
    for fixed in ["suspected suicide", "the welfare", "into family life", "The child protection services",
                  "and accountability arrangements"]:
        assert fixed in c.text
    start = c.text.index("suspected suicide")
    s, e = c.raw_span(start, start + len("suspected suicide"))
    assert raw[s:e] == "suspectedsuicide"
