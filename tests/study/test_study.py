"""Quiz items, answer checking, glossary and starter questions, over the real unit's chunks (no model needed)."""

from __future__ import annotations

import pytest

from tests.conftest import CORPUS, SLUG, UNIT
from tutor.study import checking, glossary, model_items, starters
from tutor.study import items as quiz_items
from tutor.ingest.chunk import chunk_document
from tutor.ingest.load import load_corpus
from tutor.text import STOPWORDS, terms


@pytest.fixture(scope="module")
def course():
    return {d.unit: chunk_document(d, 400, 1) for d in load_corpus(CORPUS).docs}


@pytest.fixture(scope="module")
def chunks(course):
    return course[SLUG]


@pytest.fixture(scope="module")
def items(chunks):
    return quiz_items.make_items(chunks)


@pytest.fixture(scope="module")
def by_answer(items):
    return {i.answer: i for i in items}


def test_items_blank_key_terms_names_and_numbers(items):
    answers = {i.answer for i in items}
    for wanted in ["Common Assessment Framework", "sixty", "Lord Laming", "Wakefield", "twelve", "Children Act 2004"]:
        assert wanted in answers
    for i in items:
        assert i.answer.lower() not in STOPWORDS
        assert not i.answer.lower().startswith("the ")
    assert {i.kind for i in items} >= {"number", "name"}


def test_each_item_keeps_its_sentence_passage_and_raw_span(items, chunks):
    raw = UNIT.read_text(encoding="utf-8")
    by_id = {c.id: c for c in chunks}
    for i in items:
        assert i.prompt.count(quiz_items.BLANK) == 1
        assert i.prompt.replace(quiz_items.BLANK, i.answer) == i.sentence
        assert i.sentence in by_id[i.chunk_id].sentence_texts()
        assert raw[i.raw_start:i.raw_end] == i.raw == by_id[i.chunk_id].raw
        assert i.passage == by_id[i.chunk_id].text and i.paragraph == by_id[i.chunk_id].paragraph


def test_items_are_not_headings_or_repeats(items):
    assert not any(i.sentence.startswith("Unit 25") for i in items)  # the unit's title line
    assert len({checking.normalise(i.answer) for i in items}) == len(items)  # each answer asked once
    assert len({i.id for i in items}) == len(items)


def test_items_are_deterministic(chunks, items):
    assert quiz_items.make_items(chunks) == items


@pytest.mark.parametrize("answer, response", [
    ("sixty", "60"), ("sixty", "Sixty."), ("sixty", "sixtey"), ("twelve", "12"), ("twelve", "twelev"),
    ("twelve", "TWELVE agencies"), ("Lord Laming", "laming"), ("Lord Laming", "Lord Lamming"),
    ("Common Assessment Framework", "common assesment framework"), ("Common Assessment Framework", "CAF"),
    ("Wakefield", "wakefeild"), ("Wakefield", "the Wakefield district"), ("Children Act 2004", "children act 2004"),
    ("Victoria Climbie", "Victoria Climbié"), ("Baby P", "baby p's"),
])
def test_tolerant_checking_accepts(by_answer, answer, response):
    assert checking.check(by_answer[answer], response).correct


@pytest.mark.parametrize("answer, response", [
    ("sixty", "16"), ("sixty", "six"), ("twelve", "11"), ("twelve", "twenty"), ("Lord Laming", "lord"),
    ("Wakefield", "Leeds"), ("Wakefield", "not wakefield"), ("Children Act 2004", "children act 2005"),
    ("Common Assessment Framework", "framework"), ("Victoria Climbie", "Vanessa George"), ("sixty", ""),
])
def test_tolerant_checking_rejects(by_answer, answer, response):
    assert not checking.check(by_answer[answer], response).correct


def test_feedback_quotes_and_cites_the_passage(by_answer):
    item = by_answer["twelve"]
    right, wrong = checking.check(item, "12"), checking.check(item, "nine")
    assert right.feedback.startswith("Correct") and wrong.feedback.startswith("Not quite: the answer is twelve")
    for r in (right, wrong):
        assert f'"{item.sentence}"' in r.feedback
        assert f"paragraph {item.paragraph}" in r.feedback and "unit-25-safeguarding-outcome-1.4.txt" in r.feedback
    empty = checking.check(item, " ?! ")
    assert empty.feedback == "Type your answer in the box first." and not empty.attempted and right.attempted


def test_glossary_lists_only_acronyms_the_unit_defines_itself(chunks):
    entries = glossary.glossary(chunks)
    assert [e.acronym for e in entries] == ["SCR", "CAF"]  # LSCB and EYFS are used, never written out beside it
    longs = {e.acronym: e.long_form for e in entries}
    assert longs["CAF"] == "Common Assessment Framework" and longs["SCR"] == "Serious Case Reviews"
    by_id = {c.id: c for c in chunks}
    for e in entries:
        assert e.sentence in by_id[e.chunk_id].sentence_texts()
        assert e.long_form.lower() in e.sentence.lower().replace("\u2019", "'")
        assert e.paragraph == by_id[e.chunk_id].paragraph
    scr = next(e for e in entries if e.acronym == "SCR")
    assert "(SCR" in scr.sentence  # the definition, not the title line that merely mentions the words


def test_starter_questions_come_from_the_unit(chunks):
    found = starters.starter_questions(chunks)
    assert len(found) == 4 and len(set(found)) == 4
    text = " ".join(c.text for c in chunks).lower()
    assert "What is the Common Assessment Framework?" in found
    for q in found:
        topic = q.rstrip("?").split(" about ")[-1].replace("What is the ", "").replace("What are ", "")
        assert topic.lower() in text


@pytest.mark.parametrize("unit", ["psychology-memory", "economics-demand-supply", "sociology-deviance",
                                  "physiology-immune-disorders"])
def test_study_aids_of_any_unit_come_from_its_own_body_text(course, unit):
    chunks = course[unit]
    body = {s for c in chunks for _, s in c.answer_sentences()}
    other = {s for u, cs in course.items() if u != unit for c in cs for s in c.sentence_texts()}
    quiz = quiz_items.make_items(chunks)
    assert quiz and all(i.sentence in body and not i.sentence.rstrip().endswith("?") for i in quiz)
    assert all(i.unit == unit and i.sentence_no > 0 and f"sentence {i.sentence_no}" in i.citation for i in quiz)
    text = " ".join(c.text for c in chunks)
    for e in glossary.glossary(chunks):  # every acronym is written next to its long form in this unit
        assert f"{e.long_form} ({e.acronym}" in e.sentence or f"{e.acronym} ({e.long_form}" in e.sentence
    for q in starters.starter_questions(chunks):
        assert not any(word in q for word in ("Baby P", "Serious Case", "Laming"))  # nothing of another unit
    assert not body & other


# ---- Items a hosted model writes: kept only when they check out against their passage -------------------------
def laming_chunk(chunks):
    return next(c for c in chunks if "Lord Laming" in c.text and any("Lord Laming" in s for s in c.sentence_texts()))


def test_a_model_item_is_kept_when_its_answer_is_words_of_the_passage(chunks):
    chunk = laming_chunk(chunks)
    sentence = next(s for s in chunk.sentence_texts() if "Lord Laming" in s)
    words = [w for w in terms(sentence) if w not in {"lord", "laming"}][:3]
    question = "Who is named in connection with " + " ".join(words) + "?"
    reply = 'Sure! ```json\n{"question": "%s", "answer": "lord laming."}\n```' % question
    item = model_items.checked_model_item(chunk, reply)
    assert isinstance(item, quiz_items.QuizItem), item
    assert item.kind == "question" and item.prompt == question and item.answer == "Lord Laming"  # the unit's casing
    assert item.sentence[item.start:item.start + len(item.answer)] == item.answer and item.sentence in chunk.text
    assert (item.raw_start, item.raw_end, item.raw) == (chunk.raw_start, chunk.raw_end, chunk.raw)
    assert checking.check(item, "lord lamming").correct and not checking.check(item, "Victoria").correct


@pytest.mark.parametrize("reply, reason", [
    ("I cannot write a quiz.", "no JSON"),
    ('{"question": "Who led the national review of child protection?", "answer": "Baroness Smith"}', "not in the passage"),
    ('{"question": "What did Lord Laming lead in the passage?", "answer": "Lord Laming"}', "gives the answer away"),
    ('{"question": "Name him", "answer": "Lord Laming"}', "not a question"),
    ('{"question": "Who is a famous footballer in Brazil?", "answer": "Lord Laming"}', "not about the passage"),
    ('{"question": "Which word comes first in the passage?", "answer": "the"}', "meaningful words"),
    ('{"question": "What does the passage say about reviews?", "answer": "%s"}' % ("word " * 9), "meaningful words"),
    ('{"question": "Which mark separates the clauses here?", "answer": "–"}', "meaningful words"),
    ('{"question": "Which words join the phrases together?", "answer": "of the"}', "meaningful words"),
])
def test_a_model_item_is_rejected_with_a_reason(chunks, reply, reason):
    result = model_items.checked_model_item(laming_chunk(chunks), reply)
    assert isinstance(result, str) and reason in result


NAMES = ("Lord Laming", "Victoria Climbié", "Baby P", "Haringey", "Every Child Matters", "Children Act 2004",
         "Common Assessment Framework", "Little Ted")


def test_model_items_spread_over_the_unit_and_survive_a_failing_call(chunks):
    seen = []

    def complete(prompt):
        seen.append(prompt)
        if len(seen) == 2:
            raise TimeoutError("model too slow")
        passage = prompt.split("Passage:\n", 1)[1]
        name = next((n for n in NAMES if n in passage), "zebra crossing")  # not in the passage: rejected
        about = " ".join(terms(passage.replace(name, ""))[:4])
        return '{"question": "Which name goes with %s?", "answer": "%s"}' % (about, name)

    items, rejected = model_items.model_items(chunks, complete, limit=6)
    assert len(seen) == 6 and len({p.split("Passage:\n")[1] for p in seen}) == 6  # six different passages
    assert "Passage:\n" in seen[0] and "JSON" in seen[0]
    assert any("model failed (TimeoutError: model too slow)" in r for r in rejected)
    assert items and len(items) + len(rejected) == 6
    for item in items:
        assert item.kind == "question" and item.answer in item.sentence and item.sentence in item.passage


def test_of_two_sentences_holding_the_answer_the_one_the_question_is_about_is_quoted():
    from tutor.ingest.chunk import Chunk
    text = "Lord Laming chaired the inquiry. Later Lord Laming reported to Parliament on progress nationwide."
    first = len("Lord Laming chaired the inquiry.")
    chunk = Chunk(id="c1", source="unit.txt", title="Unit", text=text, raw_start=0, raw_end=len(text), paragraph=1,
                  sentence_start=0, sentence_end=2, raw=text, sentences=[(0, first), (first + 1, len(text))])
    reply = '{"question": "Who reported to Parliament on progress nationwide?", "answer": "Lord Laming"}'
    item = model_items.checked_model_item(chunk, reply)
    assert isinstance(item, quiz_items.QuizItem), item
    assert item.sentence.startswith("Later") and item.sentence[item.start:].startswith("Lord Laming")


def test_a_reply_with_braces_in_its_strings_still_parses(chunks):
    chunk = laming_chunk(chunks)
    sentence = next(s for s in chunk.sentence_texts() if "Lord Laming" in s)
    about = " ".join(w for w in terms(sentence) if w not in {"lord", "laming"})[:60]
    reply = 'Here {is} one: {"question": "Who {exactly} is linked with %s?", "answer": "Lord Laming"} done' % about
    assert isinstance(model_items.checked_model_item(chunk, reply), quiz_items.QuizItem)
