"""Study aids made from the index chunks: fill-in-the-blank quiz items (no LLM) with tolerant checking, the unit's
glossary of acronyms, starter questions, and, when a capable hosted model is configured, short-answer questions
it writes about a passage, kept only when their answer is words of that passage (``model_items``).

A quiz item blanks one key term, name or number out of a unit sentence and keeps its source passage:

>>> s = "The inquiry, chaired by Lord Laming, found failings in as many as twelve agencies."
>>> item = QuizItem("c1", s, "twelve", "number", s.index("twelve"), "unit.txt", 8, 0, 120, s, s)
>>> item.prompt
'The inquiry, chaired by Lord Laming, found failings in as many as _____ agencies.'
>>> check(item, "12").correct, check(item, "twelv").correct, check(item, "eleven").correct
(True, True, False)
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Callable

from rapidfuzz.distance import OSA  # edit distance where a swapped pair of letters is one typo

from .backends import render
from .chunk import Chunk
from .clean import zipf
from .text import NUMBER_WORDS, STOPWORDS, terms

BLANK = "_____"
_TOKEN = re.compile(r"[A-Za-z0-9][\w'\u2019&-]*")
_CONNECTORS = {"of"}  # allowed inside a name: "House of Commons", "London Borough of Haringey"
_HEADING = re.compile(r"\b\d+\.\d+\b|^Unit\s+\d")  # "Unit 25 ... Outcome 1.4": a heading, not a sentence
_MAX_NAME_WORDS = 5
_HONORIFICS = {"lord", "lady", "sir", "dr", "mr", "mrs", "ms", "miss", "dame"}
_SKIP_NUMBERS = {"one"}  # "one of", "no one": rarely a fact worth asking about
_NEGATIONS = {"not", "no", "never", "isn't", "wasn't"}


@dataclass(frozen=True)
class QuizItem:
    chunk_id: str
    sentence: str  # the unit sentence, as learners see it
    answer: str  # the blanked words
    kind: str  # number | name | term
    start: int  # where the answer starts in the sentence
    source: str
    paragraph: int
    raw_start: int  # raw span of the source passage: raw_text[raw_start:raw_end]
    raw_end: int
    passage: str  # the passage's display text
    raw: str  # the passage exactly as in the source
    question: str = ""  # a model-written question (kind "question"); empty: the prompt blanks the answer out

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
        return f"{self.source}, paragraph {self.paragraph}, characters {self.raw_start}-{self.raw_end}"


@dataclass(frozen=True)
class Result:
    correct: bool
    expected: str
    feedback: str  # says right or wrong, quotes the sentence and cites the passage
    attempted: bool = True  # False for an empty reply, which is neither right nor wrong


_LEADING = STOPWORDS | {"another", "additionally", "instead", "following"}  # capitalised, but not part of a name


def _candidates(sentence: str) -> list[tuple[str, int, str]]:
    """(answer, start, kind) for numbers and capitalised names or terms in one sentence, best first."""
    tokens = [(m.group(), m.start()) for m in _TOKEN.finditer(sentence)]
    found: list[tuple[int, str, int, str]] = []  # (priority, answer, start, kind)
    i = 0
    while i < len(tokens):
        word, start = tokens[i]
        low = word.lower()
        if (low in NUMBER_WORDS and low not in _SKIP_NUMBERS) or (word.isdigit() and 2 <= len(word) <= 4):
            found.append((0, word, start, "number"))
            i += 1
        elif word[0].isupper():
            j = _run_end(sentence, tokens, i)
            k = i
            while k < j and tokens[k][0].lower() in _LEADING:
                k += 1  # "The Early Years Foundation Stage" -> "Early Years Foundation Stage"
            name = _name(sentence, tokens[k:j]) if k < j else None
            if name:
                found.append(name)
            i = j
        else:
            i += 1
    # An answer that appears twice in its sentence gives itself away.
    found = [f for f in found if sentence.lower().count(f[1].lower()) == 1]
    return [(a, s, k) for _, a, s, k in sorted(found, key=lambda f: (f[0], f[2]))]


def _run_end(sentence: str, tokens: list[tuple[str, int]], i: int) -> int:
    """End of the run of capitalised words from token i, allowing "of" between two of them ("House of Commons")
    and a trailing year ("Children Act 2004"); punctuation ends a run."""
    j = i + 1
    while j < len(tokens) and _spaced(sentence, tokens[j - 1], tokens[j]):
        word = tokens[j][0]
        if word[0].isupper() or (word.isdigit() and j > i + 1):
            j += 1
        elif (word.lower() in _CONNECTORS and j + 1 < len(tokens) and tokens[j + 1][0][0].isupper()
              and _spaced(sentence, tokens[j], tokens[j + 1])):
            j += 2
        else:
            break
    return j


def _name(sentence: str, run: list[tuple[str, int]]) -> tuple[int, str, int, str] | None:
    start, (last, last_start) = run[0][1], run[-1]
    answer = re.sub(r"['\u2019]s$", "", sentence[start:last_start + len(last)])
    acronym = answer.isupper() and len(answer) <= 6
    if len(run) > _MAX_NAME_WORDS:
        return None  # a title-cased heading, not a name
    if len(run) == 1 and start == 0 and zipf(answer) >= 4.0:
        return None  # capitalised only because it starts the sentence
    if acronym and f"({answer}" in sentence:
        return None  # the long form is right there
    return (3 if acronym else 1 if len(run) > 1 else 2), answer, start, "term" if acronym else "name"


def _spaced(sentence: str, a: tuple[str, int], b: tuple[str, int]) -> bool:
    """Only whitespace between two tokens: "Climbie (Baby P" or "Haringey, North" are two names."""
    return not sentence[a[1] + len(a[0]):b[1]].strip()


def _good_sentence(sentence: str) -> bool:
    words = sentence.split()
    if not 8 <= len(words) <= 70 or _HEADING.search(sentence):
        return False
    capitals = sum(1 for w in words if w[0].isupper())
    return capitals / len(words) <= 0.4  # titles and headings are not questions


def make_items(chunks: list[Chunk]) -> list[QuizItem]:
    """Quiz items in unit order: from each sentence, its first number and its best name or term, each answer
    asked once (where the unit first states it)."""
    items, seen, asked, first_words = [], set(), set(), set()
    for chunk in chunks:
        for sentence in chunk.sentence_texts():
            if sentence in seen or not _good_sentence(sentence):
                continue  # chunks overlap by a sentence
            seen.add(sentence)
            kinds = set()
            for answer, start, kind in _candidates(sentence):
                group = "number" if kind == "number" else "name"
                norm = normalise(answer)
                if group in kinds or norm in asked or (group == "name" and norm.split()[0] in first_words):
                    continue  # "Little Ted's Nursery" after "Little Teds" asks the same thing again
                kinds.add(group)
                asked.add(norm)
                if group == "name" and len(norm.split()) > 1:
                    first_words.add(norm.split()[0])
                items.append(QuizItem(chunk.id, sentence, answer, kind, start, chunk.source, chunk.paragraph,
                                      chunk.raw_start, chunk.raw_end, chunk.text, chunk.raw))
    return items


_MAX_ANSWER_WORDS = 6


def model_items(chunks: list[Chunk], complete: Callable[[str], str], limit: int = 12
                ) -> tuple[list[QuizItem], list[str]]:
    """Short-answer items a model writes, one per passage for up to ``limit`` passages spread over the unit.
    ``complete`` sends a prompt and returns the model's reply. An item is kept only when its answer is 1-6 words
    found in one sentence of the passage, its question does not give the answer away and is about that passage;
    the learner's reply is then checked against those passage words, never against the model's opinion.
    Returns the items and one line per passage that gave none (why), for the log."""
    usable = [c for c in chunks if any(_good_sentence(s) for s in c.sentence_texts())]
    step = max(1, len(usable) / max(1, limit))
    picked = [usable[int(i * step)] for i in range(min(limit, len(usable)))]  # distinct passages
    items, rejected = [], []
    for chunk in picked:
        try:
            reply = complete(render("quiz", passage=chunk.text))
        except Exception as exc:  # noqa: BLE001 - one failed call costs one item, not the quiz
            rejected.append(f"{chunk.id}: the model failed ({exc.__class__.__name__}: {exc})")
            continue
        item = checked_model_item(chunk, reply)
        if isinstance(item, str):
            rejected.append(f"{chunk.id}: {item}")
        else:
            items.append(item)
    return items, rejected


def _first_json_object(text: str):
    """The first JSON object in a reply that may wrap it in prose or code fences (braces inside strings are fine)."""
    decoder = json.JSONDecoder()
    for start in (i for i, ch in enumerate(text) if ch == "{"):
        try:
            return decoder.raw_decode(text, start)[0]
        except ValueError:
            continue
    return None


def checked_model_item(chunk: Chunk, reply: str) -> QuizItem | str:
    """The item in a model's reply (JSON with "question" and "answer"), or the reason it was rejected."""
    data = _first_json_object(reply or "")
    if not isinstance(data, dict) or not isinstance(data.get("question"), str) or not isinstance(data.get("answer"), str):
        return "no JSON object with a question and an answer"
    question = " ".join(data["question"].split())
    answer = data["answer"].strip().strip("\"'“”.,;:!?").strip()
    meaningful = [w for w in normalise(answer).split() if w not in STOPWORDS]
    if not meaningful or len(answer.split()) > _MAX_ANSWER_WORDS:
        return f"answer {answer!r} is not 1-{_MAX_ANSWER_WORDS} meaningful words"
    if not question.endswith("?") or not 4 <= len(question.split()) <= 35:
        return f"{question!r} is not a question of 4-35 words"
    if f" {normalise(answer)} " in f" {normalise(question)} ":
        return "the question gives the answer away"
    asked = set(terms(question))
    # the sentence that holds the answer; of several, the one sharing most words with the question
    holding = [(len(asked & set(terms(sent))), sent, m) for sent in chunk.sentence_texts()
               for m in [re.search(r"(?<!\w)" + re.escape(answer) + r"(?!\w)", sent, re.I)] if m]
    if not holding:
        return f"answer {answer!r} is not in the passage"
    shared, sentence, m = max(holding, key=lambda h: h[0])
    if not shared or len(asked & set(terms(chunk.text))) < 0.5 * len(asked):
        return "the question is not about the passage"
    return QuizItem(chunk.id, sentence, m.group(), "question", m.start(), chunk.source, chunk.paragraph,
                    chunk.raw_start, chunk.raw_end, chunk.text, chunk.raw, question)


def normalise(text: str) -> str:
    """Lowercase, no accents, punctuation or possessives, number words as digits ("Sixty!" -> "60")."""
    text = (text or "").replace("\u2019", "'")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)  # "2,000" -> "2000"
    text = re.sub(r"['\u2019]s\b", "", text.lower())
    words = re.findall(r"[a-z0-9]+", text.replace("&", " and "))
    return " ".join(NUMBER_WORDS.get(w, w) for w in words)


def _variants(answer: str) -> set[str]:
    """Accepted forms of an answer: as is, without "the" or an honorific, and as initials for long terms."""
    norm = normalise(answer)
    words = norm.split()
    out = {norm}
    if words and words[0] in _HONORIFICS | {"the"} and len(words) > 1:
        out.add(" ".join(words[1:]))
    content = [w for w in words if w not in _CONNECTORS]
    if len(content) >= 3:
        out.add("".join(w[0] for w in content))  # "Common Assessment Framework" -> "caf"
    return out


def _typo_numbers(text: str) -> str:
    """Misspelt number words as digits ("twelev" -> "12"); only used when the answer is a number."""
    def fix(w: str) -> str:
        if len(w) < 4 or w.isdigit():
            return w
        near = [d for word, d in NUMBER_WORDS.items() if OSA.distance(w, word) <= 1]
        return near[0] if len(near) == 1 else w
    return " ".join(fix(w) for w in text.split())


def _close(response: str, expected: str) -> bool:
    if any(ch.isdigit() for ch in expected):
        response = _typo_numbers(response)
    if any(ch.isdigit() for ch in expected) or any(ch.isdigit() for ch in response):
        return re.findall(r"\d+", response) == re.findall(r"\d+", expected) and \
            OSA.distance(re.sub(r"\d+", "", response), re.sub(r"\d+", "", expected)) <= 1
    allowed = 0 if len(expected) <= 4 else 1 if len(expected) <= 8 else 2
    return OSA.distance(response, expected) <= allowed


def is_correct(item: QuizItem, response: str) -> bool:
    got = normalise(response)
    if not got:
        return False
    if any(_close(got, v) for v in _variants(item.answer)):
        return True
    # "the Wakefield district" for "Wakefield": the answer inside a slightly longer reply
    words, expected = got.split(), normalise(item.answer)
    return (f" {expected} " in f" {got} " and len(words) <= len(expected.split()) + 2
            and not _NEGATIONS & set(words))


def check(item: QuizItem, response: str) -> Result:
    """Check a learner's answer tolerantly; the feedback quotes the sentence and cites its passage."""
    quote = f'"{item.sentence}" ({item.citation})'
    if not normalise(response):
        return Result(False, item.answer, "Type your answer in the box first.", attempted=False)
    if is_correct(item, response):
        return Result(True, item.answer, f"Correct: {item.answer}. The unit says: {quote}")
    return Result(False, item.answer, f"Not quite: the answer is {item.answer}. The unit says: {quote}")


@dataclass(frozen=True)
class GlossaryEntry:
    acronym: str
    long_form: str
    sentence: str  # the unit sentence that uses the long form
    chunk_id: str
    source: str
    paragraph: int


def _fold(text: str) -> str:
    return text.replace("\u2019", "'").lower()


def glossary(chunks: list[Chunk]) -> list[GlossaryEntry]:
    """The unit's acronyms, in order of first use, each cited to the sentence where the unit spells it out.

    An acronym qualifies when the unit uses it (SCR, LSCB, CAF) or when it stands for a name of four or more
    capitalised words the unit uses in full (Early Years Foundation Stage -> EYFS)."""
    from .query import QueryProcessor

    texts = [c.text for c in chunks]
    joined = " ".join(texts)
    used = set(re.findall(r"\b([A-Z]{2,6})(?:['\u2019]s)?\b", joined))
    by_long: dict[str, str] = {}
    for acr, long in QueryProcessor(texts).acronyms.items():
        if acr in used or (len(long.split()) >= 4 and long.split()[0] != "The"):
            if by_long.get(long) not in used:  # LSCB (used) beats LCSB (initials only) for one long form
                by_long[long] = acr
    def evidence(sentence: str, long: str, acr: str) -> int:
        """2: the definition "Long Form (ACR"; 1: the long form as written; 0: the words in any case."""
        plain, long = sentence.replace("\u2019", "'"), long.replace("\u2019", "'")
        return 2 if f"{long} ({acr}" in plain else 1 if long in plain else 0

    entries = []
    for long, acr in by_long.items():
        hits = [(evidence(s, long, acr), -k, s, c) for k, c in enumerate(chunks) for s in c.sentence_texts()
                if _fold(long) in _fold(s)]
        if hits:
            _, _, sentence, chunk = max(hits, key=lambda h: h[:2])  # the best evidence, earliest in the unit
            entries.append(GlossaryEntry(acr, long, sentence, chunk.id, chunk.source, chunk.paragraph))
    first = {e.acronym: _fold(joined).find(_fold(e.long_form)) for e in entries}
    return sorted(entries, key=lambda e: first[e.acronym])


def starter_questions(chunks: list[Chunk], n: int = 4) -> list[str]:
    """Questions a newcomer could begin with, from the unit's glossary and its most-mentioned names."""
    out = []
    for e in [e for e in glossary(chunks) if f"({e.acronym}" in e.sentence][:2]:  # terms the unit defines
        out.append(f"What are {e.long_form.lower()}?" if e.long_form.endswith("s") else f"What is the {e.long_form}?")
    counts = Counter()
    for chunk in chunks:
        for sentence in chunk.sentence_texts():
            counts.update({a for a, _, k in _candidates(sentence) if k == "name" and len(a.split()) == 2})
    for name, _ in counts.most_common():
        if len(out) >= n:
            break
        if not any(_fold(name) in _fold(q) for q in out):
            out.append(f"What does the unit say about {name}?")
    return out
