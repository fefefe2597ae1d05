"""Quiz items made from the unit without a model: one sentence with a number, name or key term blanked out, keeping
its source passage.

>>> s = "The review, led by Dr Amos, found failings in as many as twelve services."
>>> item = QuizItem("c1", s, "twelve", "number", s.index("twelve"), "unit.txt", 8, 0, 120, s, s)
>>> item.prompt
'The review, led by Dr Amos, found failings in as many as _____ services.'
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from ..ingest.chunk import Chunk
from ..text import zipf
from ..text.names import TOKEN, name_runs
from ..text.numbers import normalise_answer as normalise
from ..text.numbers import number_words
from ..text.sentences import complete

BLANK = "_____"
_HEADING = re.compile(r"\b\d+\.\d+\b|^Unit\s+\d")  # "Unit 25 ... Outcome 1.4": a heading, not a sentence
_MAX_NAME_WORDS = 5
_SKIP_NUMBERS = {"zero", "one"}  # "one of", "no one": rarely a fact worth asking about


@dataclass(frozen=True)
class QuizItem:
    chunk_id: str
    sentence: str  # the unit sentence, as learners see it
    answer: str  # the blanked words
    kind: str  # number | name | term | question
    start: int  # where the answer starts in the sentence
    source: str
    paragraph: int
    raw_start: int  # raw span of the source passage: raw_text[raw_start:raw_end]
    raw_end: int
    passage: str  # the passage's display text
    raw: str  # the passage exactly as in the source
    question: str = ""  # a model-written question (kind "question"); empty: the prompt blanks the answer out
    unit: str = ""  # the unit it comes from
    sentence_no: int = 0  # which sentence of the source it tests (1-based, in reading order)
    section: str = ""  # the heading path of its passage
    page: int = 0  # the PDF page of its passage (0: no pages)

    @property
    def prompt(self) -> str:
        if self.question:
            return self.question
        return self.sentence[:self.start] + BLANK + self.sentence[self.start + len(self.answer):]

    @property
    def id(self) -> str:
        key = f"{self.sentence}|{self.answer}|{self.question}"
        return self.chunk_id + ":" + hashlib.sha1(key.encode()).hexdigest()[:8]

    @property
    def citation(self) -> str:
        where = f", sentence {self.sentence_no}" if self.sentence_no else ""
        place = "".join(f"{x}, " for x in (self.section, self.page and f"page {self.page}") if x)
        return f"{self.source}, {place}paragraph {self.paragraph}{where}, characters {self.raw_start}-{self.raw_end}"


def candidates(sentence: str) -> list[tuple[str, int, str]]:
    """(answer, start, kind) for numbers and capitalised names or terms in one sentence, best first."""
    found: list[tuple[int, str, int, str]] = []  # (priority, answer, start, kind)
    for m in TOKEN.finditer(sentence):
        word = m.group()
        if (word.lower() in number_words() and word.lower() not in _SKIP_NUMBERS) or (word.isdigit() and 2 <= len(word) <= 4):
            found.append((0, word, m.start(), "number"))
    numbers = {start for _, _, start, _ in found}
    for name in name_runs(sentence):
        acronym = name.text.isupper() and len(name.text) <= 6
        if name.start in numbers or name.words > _MAX_NAME_WORDS:
            continue  # a number, or a title-cased heading rather than a name
        if name.words == 1 and name.start == 0 and zipf(name.text) >= 4.0:
            continue  # capitalised only because it starts the sentence
        if acronym and f"({name.text}" in sentence:
            continue  # the long form is right there
        priority = 3 if acronym else 1 if name.words > 1 else 2
        found.append((priority, name.text, name.start, "term" if acronym else "name"))
    # An answer that appears twice in its sentence gives itself away.
    found = [f for f in found if sentence.lower().count(f[1].lower()) == 1]
    return [(a, s, k) for _, a, s, k in sorted(found, key=lambda f: (f[0], f[2]))]


def good_sentence(sentence: str) -> bool:
    """A whole sentence (never a line fragment) long enough to ask about, not a heading or a title."""
    words = sentence.split()
    if not 8 <= len(words) <= 70 or _HEADING.search(sentence) or not complete(sentence):
        return False
    capitals = sum(1 for w in words if w[0].isupper())
    return capitals / len(words) <= 0.4


def make_items(chunks: list[Chunk]) -> list[QuizItem]:
    """Quiz items in unit order: from each body sentence (never a question, heading, caption, table or learning
    objective), its first number and its best name or term, each answer asked once (where first stated)."""
    items, seen, asked, first_words = [], set(), set(), set()
    for chunk in chunks:
        for index, sentence in chunk.answer_sentences():
            if sentence in seen or not good_sentence(sentence):
                continue  # chunks overlap by a sentence
            seen.add(sentence)
            kinds = set()
            for answer, start, kind in candidates(sentence):
                group = "number" if kind == "number" else "name"
                norm = normalise(answer)
                if group in kinds or norm in asked or (group == "name" and norm.split()[0] in first_words):
                    continue  # a shorter name after a longer one asks the same thing again
                kinds.add(group)
                asked.add(norm)
                if group == "name" and len(norm.split()) > 1:
                    first_words.add(norm.split()[0])
                items.append(QuizItem(chunk.id, sentence, answer, kind, start, chunk.source, chunk.paragraph,
                                      chunk.raw_start, chunk.raw_end, chunk.text, chunk.raw, unit=chunk.unit,
                                      sentence_no=chunk.sentence_start + index + 1, section=chunk.section,
                                      page=chunk.page))
    return items
