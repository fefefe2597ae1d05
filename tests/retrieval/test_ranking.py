"""The learned sentence ranking: what counts as a candidate, its features, the choice of sentences, the artefact
and its rebuild."""

import pytest

from tutor.errors import ConfigError
from tutor.ingest.chunk import Chunk
from tutor.retrieval.passages import Passage, candidate_sentences
from tutor.retrieval.ranking import (FEATURES, MODEL, Scored, SentenceRanker, choose, defined_term, features,
                                     load_ranker)


def chunk(text: str, spans, roles, start: int = 0) -> Chunk:
    return Chunk("c", "u.txt", "U", text, 0, len(text), 1, start, start + len(spans), text, list(spans), roles=roles)


def test_headings_questions_captions_and_objectives_are_never_candidates():
    text = "Market prices\nWhy do prices move?\nFigure 2.1. Prices over time.\n- Explain prices\nPrices rise when demand rises."
    spans = [(0, 13), (14, 33), (34, 63), (64, 80), (81, len(text))]
    c = chunk(text, spans, ["heading", "question", "caption", "objective", "body"])
    assert list(candidate_sentences([Passage(1, c, 1.0)])) == ["Prices rise when demand rises."]


@pytest.mark.parametrize("question, term", [("What is a price floor?", "price floor"), ("define elasticity", "elasticity"),
                                            ("What does GDP stand for?", "GDP"), ("What's the meaning of a tariff?", "tariff"),
                                            ("Why do prices rise?", None)])
def test_the_term_a_definition_question_asks_about(question, term):
    assert defined_term(question) == term


def test_features_see_the_kind_of_answer_and_a_definition():
    text = "A price floor is a minimum legal price. It was set in 1938 by law."
    c = chunk(text, [(0, 39), (40, len(text))], ["body", "body"])
    found, x = features("What is a price floor?", "What is a price floor?", [Passage(1, c, 1.0)])
    row = dict(zip(FEATURES, x[0]))
    assert found[0][0].startswith("A price floor") and row["defines"] == 1.0 and row["words_question"] == 1.0
    _, x = features("What year was it set?", "What year was it set?", [Passage(1, c, 1.0)])
    assert [dict(zip(FEATURES, r))["kind"] for r in x] == [-1.0, 1.0]  # only the second gives a year


def test_the_answer_takes_the_best_sentence_with_context_from_its_passage():
    ranked = [Scored(0.9, 2, 10, "b"), Scored(0.5, 1, 3, "x"), Scored(0.4, 2, 9, "a"), Scored(0.1, 2, 12, "c")]
    assert [s.text for s in choose(ranked, same=1, others=0)] == ["b", "a"]  # the answering sentence leads
    assert [s.text for s in choose(ranked, same=2, others=0)] == ["b", "a", "c"]  # then its context in reading order
    assert [s.text for s in choose(ranked, same=0, others=1, relative=0.5)] == ["b", "x"]
    assert [s.text for s in choose(ranked, same=0, others=1, relative=0.6)] == ["b"]


def test_the_shipped_model_loads_and_says_when_a_sentence_answers():
    ranker = load_ranker()
    assert ranker.selection and 0 < ranker.answers_threshold < 1
    assert ranker.answers([Scored(0.99, 1, 0, "x")]) and not ranker.answers([Scored(0.0, 1, 0, "x")])


@pytest.mark.parametrize("content, message", [(None, "is missing"), ("{not json", "is damaged"),
                                              ('{"features": ["other"]}', "other features")])
def test_a_missing_or_damaged_model_names_the_rebuild_command(tmp_path, content, message):
    path = tmp_path / "ranker.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=f"{message}.*Run: python -m tutor.training.ranking"):
        load_ranker(path)


@pytest.mark.slow
def test_the_rebuild_reproduces_the_shipped_model(rebuilt):
    from tutor.training import ranking

    built, shipped = rebuilt(ranking.main, MODEL)
    assert built["selection"] == shipped["selection"]
    assert built["answers_threshold"] == pytest.approx(shipped["answers_threshold"], abs=1e-3)
    SentenceRanker(built)  # it loads
