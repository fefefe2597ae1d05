"""Direct answers: a span a GGUF model proposes is shown only when it is words of a shown sentence (number words
and digits alike), and only for questions a short answer can settle. A scripted stand-in replaces llama-cpp for
exact tests; the bundled SmolLM2 is run for real at the end."""

import pytest

from tutor.answering import gguf
from tutor.answering.span import SpanProposer, fits, grounded

SENTENCE = "The report, led by Dr Amira Osei, found that twelve firms had raised prices in 1998."


class Scripted:
    """Answers every completion with one text, like llama_cpp.Llama.create_completion."""

    def __init__(self, text: str):
        self.text, self.prompts = text, []

    def tokenize(self, data, add_bos=False, special=False):
        return [13]

    def create_completion(self, prompt, **kwargs):
        self.prompts.append(prompt)
        return {"choices": [{"text": self.text}]}


@pytest.fixture
def proposer(tmp_path, monkeypatch):
    path = tmp_path / "tiny.gguf"
    path.write_bytes(b"GGUF")

    def make(reply: str) -> SpanProposer:
        monkeypatch.setitem(gguf._models, str(path), Scripted(reply))
        return SpanProposer(str(path))
    return make


def test_a_span_that_is_not_in_the_sentence_is_not_shown(proposer):
    assert proposer(" Dr Kwame Mensah").propose("Who led the report?", [SENTENCE]) is None


def test_a_number_written_as_a_word_in_the_sentence_is_found(proposer):
    assert proposer(" The answer is: 12.").propose("How many firms raised prices?", [SENTENCE]) == ("twelve", 0)


def test_the_words_shown_are_the_sentences_own(proposer):
    assert proposer("dr amira osei").propose("Who led the report?", ["Nothing here.", SENTENCE]) == ("Dr Amira Osei", 1)


def test_only_questions_a_short_answer_settles_are_asked(proposer):
    p = proposer("twelve")
    assert p.propose("Why did the firms raise prices?", [SENTENCE]) is None
    assert gguf._models[p.path].prompts == []


@pytest.mark.parametrize("question, span, ok", [
    ("How many firms raised prices?", "twelve", True), ("How many firms raised prices?", "Dr Amira Osei", False),
    ("In what year did prices rise?", "1998", True), ("Who led the report?", "twelve firms", False),
    ("Who led the report?", "the report", False),  # words the question already has
])
def test_the_span_must_be_the_kind_of_answer_asked_for(question, span, ok):
    assert fits(question, span) is ok


def test_grounding_folds_case_quotes_and_spacing():
    assert grounded("DR AMIRA OSEI", SENTENCE) == "Dr Amira Osei"
    assert grounded("H.M.", "The patient H. M. lost both hippocampi.") == "H. M."
    assert grounded("amira found", SENTENCE) is None  # not contiguous words of the sentence


@pytest.mark.slow
def test_the_bundled_model_proposes_a_checked_span():
    proposer = SpanProposer("")
    found = proposer.propose("When was the bridge opened?", ["The bridge was opened in 1932 by the city's mayor."])
    assert found == ("1932", 0)


class _Reader:
    """A reader whose span head always proposes ``words`` with ``probability``."""

    def __init__(self, words: str, probability: float):
        self.words, self.probability, self.span_head = words, probability, {"threshold": 0.5}

    def span(self, question, sentence):
        return (self.words, self.probability) if self.words in sentence else None


def test_the_reader_span_is_shown_only_above_its_threshold_and_as_the_sentences_words():
    from tutor.answering.span import ReaderSpan

    sentences = ["The bridge was opened in 1932 by the city's mayor."]
    assert ReaderSpan(_Reader("1932", 0.9)).propose("When was the bridge opened?", sentences) == ("1932", 0)
    assert ReaderSpan(_Reader("1932", 0.4)).propose("When was the bridge opened?", sentences) is None
    assert ReaderSpan(_Reader("city", 0.9)).propose("When was the bridge opened?", sentences) is None  # not a date
    assert ReaderSpan(_Reader("1932", 0.9)).propose("Why was the bridge opened?", sentences) is None  # not factoid


def test_a_reader_without_a_span_head_names_the_command():
    from tutor.answering.span import ReaderSpan
    from tutor.errors import ConfigError

    reader = _Reader("x", 1.0)
    reader.span_head = None
    with pytest.raises(ConfigError, match="tutor.training.spans"):
        ReaderSpan(reader)


@pytest.mark.slow
def test_the_shipped_readers_span_is_checked_words_of_its_sentence():
    from tutor.answering.span import ReaderSpan, fits
    from tutor.retrieval.reader import Reader

    sentence = "The bridge was opened in 1932 by the city's mayor."
    words, i = ReaderSpan(Reader.load(), 0.0).propose("When was the bridge opened?", [sentence])
    assert i == 0 and words in sentence and fits("When was the bridge opened?", words)


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="the span head is weak: it takes the clause, not the date (held-out exact "
                                       "match 0.10 to 0.17), which is why SmolLM2 stays the default")
def test_the_shipped_readers_span_is_the_shortest_answer():
    from tutor.answering.span import ReaderSpan
    from tutor.retrieval.reader import Reader

    found = ReaderSpan(Reader.load(), 0.0).propose("When was the bridge opened?",
                                                   ["The bridge was opened in 1932 by the city's mayor."])
    assert found == ("1932", 0)
