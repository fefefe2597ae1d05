"""A learner's practice score in a unit, as the gradebook gets it: the share of the unit's quiz questions whose
latest answer was right, out of 100. It only counts what the learner has done (a question never tried counts as
not right), so it rises with practice and falls when a card is forgotten, and the last score sent is the truth.

It reads the practice log the app already keeps (``card_reviews`` in the same database): the tutor stores no second
copy of a learner's answers.

>>> Score(right=3, items=12).given, Score(right=3, items=12).progress, Score(right=12, items=12).progress
(25.0, 'InProgress', 'Completed')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from sqlalchemy import Engine, text

MAXIMUM = 100.0  # every line item is out of 100; the platform scales it to its own maximum


@dataclass(frozen=True)
class Score:
    right: int
    items: int

    @property
    def given(self) -> float:
        return round(MAXIMUM * self.right / self.items, 2) if self.items else 0.0

    @property
    def progress(self) -> str:
        """AGS activityProgress: Completed once every question of the unit has been answered right."""
        return "Completed" if self.items and self.right >= self.items else "InProgress"

    @property
    def comment(self) -> str:
        return f"{self.right} of {self.items} practice questions right at the latest try"


def practice_score(engine: Engine, learner: str, item_ids: Sequence[str]) -> Score:
    """The learner's ``Score`` over the quiz items ``item_ids`` (the unit's quiz)."""
    wanted, latest = set(item_ids), {}
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT card, correct FROM card_reviews WHERE learner = :learner ORDER BY id"),
                            {"learner": learner})
        for card, correct in rows:
            if card in wanted:
                latest[card] = bool(correct)  # later reviews overwrite earlier ones
    return Score(sum(latest.values()), len(wanted))
