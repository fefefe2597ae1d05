"""The course the app serves: its units (for the unit picker) and each unit's study aids, made once from the
index and cached. ``""`` stands for all units."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from ..study.glossary import GlossaryEntry, glossary
from ..study.items import QuizItem, make_items
from ..study.starters import starter_questions

ALL = ""


@dataclass
class Aids:
    starters: list[str]
    glossary: list[GlossaryEntry]
    items: list[QuizItem]
    attribution: str  # the unit's licence and attribution text ("" for all units or none)


class Course:
    def __init__(self, index):
        self.index = index
        self._aids: dict[str, Aids] = {}
        self._lock = threading.Lock()

    def choices(self) -> list[tuple[str, str]]:
        """(label, value) for the unit picker: all units first."""
        return [("All units", ALL)] + [(u.label, slug) for slug, u in self.index.units.items()]

    def title(self, slug: str) -> str:
        unit = self.index.units.get(slug)
        return unit.label if unit else "all units"

    def aids(self, slug: str = ALL) -> Aids:
        with self._lock:
            if slug not in self._aids:
                chunks = self.index.chunks_of(slug or None)
                self._aids[slug] = Aids(starter_questions(chunks), glossary(chunks), make_items(chunks),
                                        self.index.attribution(slug) if slug else "")
            return self._aids[slug]
