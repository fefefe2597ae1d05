"""A direct answer first, when it can be checked: for a factoid question (who, when, where, how many), a small
GGUF model in completion mode, shown a few examples, proposes the shortest exact words of the best chosen
sentence that answer it. The proposal is shown only when those words occur in that sentence (case, quotes and
number words against digits folded); what is shown is the sentence's own characters, so the line is as
checkable as the sentence it comes from. The model is the bundled SmolLM2 unless TUTOR_SPAN_MODEL names another
GGUF file ("off" turns direct answers off).

>>> grounded("12", "The report named twelve firms in all.")
'twelve'
>>> grounded("Lisbon", "The treaty was signed in Vienna.") is None
True
>>> grounded("H.M.", "A patient known as H. M. lost both hippocampi.")
'H. M.'
"""

from __future__ import annotations

import logging
import re

from ..errors import ConfigError
from ..text import STOPWORDS, fold, squash
from ..text.kinds import is_factoid
from ..text.numbers import to_digits
from . import gguf
from .base import render

log = logging.getLogger("tutor")
_MONTHS = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}
_TOKEN = re.compile(r"[\w'$%.,-]*\w|\$?\d[\d.,]*%?")
_PREFIX = re.compile(r"^(?:the\s+)?answer(?:\s+is)?\s*:?\s*(?:\d{1,2}\.\s+(?=\D))?", re.IGNORECASE)
MAX_WORDS = 8


def _norm(word: str) -> str:
    return to_digits(fold(word).strip(".,;:'\"")) or word


def grounded(span: str, sentence: str) -> str | None:
    """The words of ``sentence`` that ``span`` quotes (folded comparison), or None when it does not."""
    want = [_norm(w) for w in _TOKEN.findall(span)]
    if not want or len(want) > MAX_WORDS or all(w in STOPWORDS for w in want):
        return None
    tokens = list(_TOKEN.finditer(sentence))
    norms = [_norm(t.group()) for t in tokens]
    for i in range(len(tokens) - len(want) + 1):
        if norms[i:i + len(want)] == want:
            return _with_initial(sentence, tokens[i].start(), tokens[i + len(want) - 1])
    letters = squash(span)  # "H.M." against "H. M.": the same letters, spaced differently
    for i in range(len(tokens)):
        for j in range(i, min(len(tokens), i + MAX_WORDS)):
            if squash(sentence[tokens[i].start():tokens[j].end()]) == letters:
                return _with_initial(sentence, tokens[i].start(), tokens[j])
    return None


def _with_initial(sentence: str, start: int, last: re.Match) -> str:
    """The words from ``start`` to ``last``, with the full stop of a final initial ("H. M.") kept."""
    end = last.end()
    if len(last.group()) == 1 and last.group().isupper() and sentence[end:end + 1] == ".":
        end += 1
    return sentence[start:end]


def fits(question: str, span: str) -> bool:
    """Is the span the kind of answer the question asks for, and not words the question already has?

    >>> fits("How old was he when he died?", "1984"), fits("How old was he when he died?", "12")
    (False, True)
    """
    if fold(span) in fold(question):
        return False
    digits = to_digits(span)
    number = re.search(r"\d", digits) is not None
    q = fold(question)
    if re.search(r"\bhow old\b|\bwhat age\b", q):
        return number and not re.search(r"\b(?:1[0-9]|20)\d\d\b", digits)
    if re.search(r"\bhow (?:many|much|long)\b|\bwhat (?:percentage|number)\b", q):
        return number
    if re.search(r"^\s*when\b|\b(?:what|which) (?:year|date)\b", q):
        return number or any(w[:3] in _MONTHS for w in fold(span).split())
    if re.search(r"^\s*(?:who|whom|whose|where)\b|\bname\b", q):
        return any(w[:1].isupper() for w in span.split())
    return True


class SpanProposer:
    """Proposes a short answer span from one sentence with a GGUF model; ``None`` when it cannot."""

    def __init__(self, path: str, timeout: float = 10.0):
        self.path, self.timeout = gguf.resolve(path, "TUTOR_SPAN_MODEL"), timeout

    def propose(self, question: str, sentences: list[str]) -> tuple[str, int] | None:
        """(the answer's words as the sentence writes them, which sentence) or None."""
        if not is_factoid(question) or not sentences:
            return None
        prompt = render("span", passage=" ".join(sentences), question=question)
        turn = gguf.turn(self.path)
        if not turn.acquire(timeout=self.timeout):
            return None  # the model is busy: the answer starts with its sentences
        try:
            llm = gguf.model(self.path)
            newline = llm.tokenize(b"\n", add_bos=False, special=False)[0]  # small models tend to skip the answer
            out = llm.create_completion(prompt, max_tokens=16, temperature=0.0, stop=["Passage", "Question", "\n\n"],
                                        logit_bias={newline: -100.0})
        except Exception:  # noqa: BLE001 - a direct answer is an extra; the sentences still answer
            log.warning("the span model failed", exc_info=True)
            return None
        finally:
            turn.release()
        span = _PREFIX.sub("", out["choices"][0]["text"].strip().split("\n")[0]).strip(" .,;:'\"")
        for i, sentence in enumerate(sentences):
            found = grounded(span, sentence)
            if found and fits(question, found):
                return found, i
        return None


def direct_answer(span: SpanProposer | None, request, shown: list) -> tuple[str, int]:
    """A short answer from the likeliest sentences the answer shows, checked to be their words, and the passage it
    comes from ("" when none can be checked, or ``span`` is None: direct answers are off)."""
    texts = {s.text for s in shown}
    best = [s for s in request.ranked[:2] if s.text in texts]  # the answer often lies in the second
    if span is None or not best:
        return "", 0
    # a follow-up's question alone may not say what it asks about; the search text carries the earlier turn
    question = request.search_text if request.history else request.question
    found = span.propose(question, [s.text for s in best])
    return (found[0], best[found[1]].n) if found else ("", 0)


class ReaderSpan:
    """Proposes the answer span with the reader's span head (token classification over its MiniLM): the best
    span of each sentence in turn, kept when the head's probability reaches the threshold chosen on the
    development units (``python -m tutor.training.spans --choose``) and the words pass ``grounded`` and ``fits``."""

    def __init__(self, reader, threshold: float | None = None):
        if not reader.span_head:
            raise ConfigError("The reader has no span head. Run: python -m tutor.training.spans")
        self.reader = reader
        self.threshold = float(reader.span_head.get("threshold", 0.5) if threshold is None else threshold)

    def candidates(self, question: str, sentences: list[str]) -> list[tuple[str, int, float]]:
        """(words, sentence, probability) of each sentence's best span that is its own words of the asked kind."""
        out = []
        for i, sentence in enumerate(sentences):
            found = self.reader.span(question, sentence)
            words = found and grounded(found[0], sentence)
            if words and fits(question, words):
                out.append((words, i, found[1]))
        return out

    def propose(self, question: str, sentences: list[str]) -> tuple[str, int] | None:
        if not is_factoid(question) or not sentences:
            return None
        found = [c for c in self.candidates(question, sentences) if c[2] >= self.threshold]
        return (found[0][0], found[0][1]) if found else None
