"""Hints from an answered ``Answer``: built by hand here (exact), and from the real tutor in tests/evals."""

from __future__ import annotations

from tutor.grounding.verify import Sentence
from tutor.study.hints import hide_key, hints_for, key_span, mentions
from tutor.types import Answer, Citation

PASSAGE = ("The harbour board met in the spring. It approved a budget for eleven new cranes. "
           "The eleven cranes arrived within a year. Dockers welcomed the change.")
ANSWERING = "It approved a budget for eleven new cranes."


def answer(direct: str = "", status: str = "answered", on_question: bool = True) -> Answer:
    citation = Citation(1, "c1", "corpus/u/harbour.txt", 0, len(PASSAGE), PASSAGE, 0.9, PASSAGE, 3, "harbour-unit")
    sentence = Sentence(ANSWERING + " [1]", [1], 0.9, True, evidence=ANSWERING)
    return Answer(status, ANSWERING, "extractive", citations=[citation], sentences=[sentence], direct=direct,
                  on_question=on_question)


def test_hint_one_leaves_out_the_answering_sentence_and_any_naming_the_key():
    hints = hints_for(answer(), "What did the board approve?", unit_title=lambda slug: "The Harbour")
    assert hints.key == "eleven" and hints.where == "The Harbour"
    assert hints.passage == "The harbour board met in the spring. Dockers welcomed the change."
    assert hints.blanked == "It approved a b_____ for _____ n__ c_____."
    assert not any(mentions(text, "11") for text in hints.hint_texts())


def test_the_direct_answer_is_the_key_span_when_it_is_words_of_the_sentence():
    assert hints_for(answer(direct="eleven new cranes [1]")).key == "eleven new cranes"
    assert hints_for(answer(direct="a pier [1]")).key == "eleven"  # not in the sentence: the quiz candidate


def test_a_try_is_checked_like_a_quiz_answer():
    hints = hints_for(answer())
    assert hints.attempt("11").correct and hints.attempt("Elevn").correct
    assert not hints.attempt("twelve").correct and not hints.attempt("  ").attempted


def test_no_hints_without_an_answer_on_the_question():
    assert hints_for(answer(status="declined")) is None and hints_for(answer(on_question=False)) is None


def test_key_span_falls_back_to_the_rarest_content_word():
    assert key_span("the dockers welcomed the change warmly.") == ("dockers", "word")
    assert hide_key("Twelve or twelve", "twelve") == "_____ or _____"
