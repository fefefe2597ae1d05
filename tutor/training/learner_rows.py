"""The learner-question dataset as typed rows for the reading trainers and their comparison.

Each ``Row`` is one learner question with its passage's sentences, the answering sentences (every one the writer
found), and the passage's place in its module, so a question can be ranked over its passage or over the whole
book section (the "unit" a college would load). Follow-up questions read with their earlier turns (``query``).

>>> r = Row("b/m/0/q00", "b", "train", "b/m/0", "and why?", ("what is X",), "follow_up", (1,), None, True,
...         ("X is Y.", "Because Z."), "m", 4)
>>> r.query, r.module_answers
('what is X and why?', (5,))
"""

from __future__ import annotations

import json
import random
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..retrieval.reader import with_neighbours  # noqa: F401 - the reader's input, read here by the trainers

DATASET = Path(__file__).parents[2] / "datasets" / "learner-questions"


@dataclass(frozen=True)
class Row:
    id: str
    book: str
    split: str  # train | dev | test (by book)
    section_id: str
    question: str
    history: tuple[str, ...]
    kind: str
    answers: tuple[int, ...]  # sentence numbers in the passage
    span: str | None
    answerable: bool
    sentences: tuple[str, ...]  # the passage's
    module: str  # "book/mNNNNN": OpenStax module ids repeat across books
    module_offset: int  # where the passage's sentences start among its module's

    @property
    def query(self) -> str:
        """The question as the tutor reads a follow-up: the last earlier turn, then the question."""
        return f"{self.history[-1]} {self.question}" if self.history else self.question

    @property
    def module_answers(self) -> tuple[int, ...]:
        return tuple(self.module_offset + a for a in self.answers)


@lru_cache(maxsize=2)
def modules(folder: Path = DATASET) -> dict[str, tuple[str, ...]]:
    """Each module's sentences in order (the book section a passage comes from), keyed "book/module id": the book is
    in the key because OpenStax module ids repeat across books (m00052 is in two)."""
    out = {}
    for line in (Path(folder) / "modules.jsonl").read_text(encoding="utf-8").splitlines():
        m = json.loads(line)
        out[f"{m['book']}/{m['module']}"] = tuple(m["sentences"])
    return out


def load(folder: Path = DATASET, splits: tuple[str, ...] = ("train", "dev", "test")) -> list[Row]:
    folder = Path(folder)
    sections = {s["section_id"]: s for s in map(json.loads, (folder / "sections.jsonl").read_text(encoding="utf-8").splitlines())}
    rows = []
    for line in (folder / "questions.jsonl").read_text(encoding="utf-8").splitlines():
        q = json.loads(line)
        if q["split"] not in splits:
            continue
        s = sections[q["section_id"]]
        rows.append(Row(q["id"], q["book"], q["split"], q["section_id"], q["question"], tuple(q["history"]), q["kind"],
                        tuple(q["answers"]), q["span"], q["answerable"], tuple(s["sentences"]),
                        f"{q['book']}/{s['module']}", s["module_offset"]))
    return rows


def books(rows: list[Row]) -> list[str]:
    return list(dict.fromkeys(r.book for r in rows))


def seeded(key: str) -> random.Random:
    """A random generator fixed by a row's id, so every rebuild draws the same negatives."""
    return random.Random(zlib.crc32(key.encode("utf-8")))
