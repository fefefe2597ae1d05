"""(question, sentence, label) pairs for the reader, from the committed reading dataset (``datasets/reading``).

A question's positives are the section sentences that hold its keyed answer (verbatim, or most of its words;
questions whose answer sits in more than ``MAX_POSITIVES`` sentences are too vague to say which one answers and
are left out). Its negatives, drawn at random: sentences of its own section that do not hold the answer,
sentences of other sections of the same book (the dataset picks sections with the same vocabulary), and
sentences of other books (far). Sections that a course unit repeats are left out, so no unit the tutor is measured on is
trained on. Everything is deterministic: choices are seeded from the question's id.
"""

from __future__ import annotations

import json
import random
import re
import zlib
from dataclasses import dataclass
from pathlib import Path


DATASET = Path(__file__).resolve().parents[2] / "datasets" / "reading"
MAX_POSITIVES = 3
SAME_SECTION, SAME_BOOK, FAR = 4, 2, 1  # negatives per question, by kind
BLANK = re.compile(r"_{2,}")
UNIT_OVERLAP = 0.3  # a section sharing this share of its sentences with a course unit is left out


@dataclass(frozen=True)
class Grounded:
    """A dataset question with its section's sentences and which of them hold the answer."""

    id: str
    book: str
    split: str
    question: str
    answer: str
    section: tuple[str, ...]
    positives: frozenset[int]
    hard: tuple[tuple[str, ...], ...]  # sentences of other sections of the same book
    far: tuple[tuple[str, ...], ...]  # sentences of sections of other books
    spans: tuple[tuple[int, int, int], ...] = ()  # (sentence, start, end) where the keyed answer is verbatim


def as_question(text: str) -> str:
    """A quiz stem as a learner would ask it: a fill-in blank becomes "what"."""
    text = " ".join(text.split()).strip()
    return BLANK.sub("what", text).rstrip(".") + "?" if BLANK.search(text) else text


def _unit_sentences(corpus: Path) -> set[str]:
    from ..text.sentences import split_sentences

    out: set[str] = set()
    for path in [p for p in sorted(corpus.rglob("*")) if p.suffix in (".txt", ".md") and p.name != "SOURCE.md"]:
        text = path.read_text(encoding="utf-8", errors="replace")
        out.update(" ".join(text[a:b].split()) for a, b in split_sentences(text))
    return out


def load(dataset: Path = DATASET, corpus: Path | None = None) -> list[Grounded]:
    """Every usable grounded question of the dataset, in file order."""
    sections = {}
    for line in (dataset / "sections.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        sections[(row["book"], row["section_id"])] = tuple(row["sentences"])
    if corpus is not None:
        unit = _unit_sentences(corpus)
        sections = {k: v for k, v in sections.items()
                    if sum(" ".join(s.split()) in unit for s in v) < UNIT_OVERLAP * max(1, len(v))}
    out = []
    for line in (dataset / "questions.jsonl").read_text(encoding="utf-8").splitlines():
        q = json.loads(line)
        key = (q["book"], q["section_id"])
        if not 1 <= len(q["positives"]) <= MAX_POSITIVES or key not in sections:
            continue
        hard = tuple(sections[tuple(k)] for k in q["hard_negative_sections"] if tuple(k) in sections)
        far = tuple(sections[tuple(k)] for k in q["far_negative_sections"] if tuple(k) in sections)
        out.append(Grounded(q["id"], q["book"], q["split"], as_question(q["question"]), q["answer"], sections[key],
                            frozenset(q["positives"]), hard, far, tuple(tuple(x) for x in q.get("spans") or ())))
    return out


def _sample(rng: random.Random, sentences, k: int) -> list[str]:
    sentences = [s for s in sentences if len(s.split()) >= 4]
    return rng.sample(sentences, min(len(sentences), k))


def pairs(g: Grounded) -> list[tuple[str, str, float]]:
    """The question's training pairs: positives, then same-section, same-book and far negatives, each drawn at
    random. (Picking the negatives that share most words with the question taught the models that sharing words
    means not answering: on held-out books they then ranked below the plain embedding similarity.)"""
    rng = random.Random(zlib.crc32(g.id.encode()))
    out = [(g.question, g.section[i], 1.0) for i in sorted(g.positives)]
    out += [(g.question, s, 0.0) for s in _sample(rng, [s for i, s in enumerate(g.section) if i not in g.positives],
                                                  SAME_SECTION)]
    out += [(g.question, s, 0.0) for s in _sample(rng, [s for sec in g.hard for s in sec], SAME_BOOK)]
    out += [(g.question, s, 0.0) for s in _sample(rng, [s for sec in g.far for s in sec], FAR)]
    return out
