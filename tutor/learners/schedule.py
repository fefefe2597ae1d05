"""Spaced practice: each quiz item is an FSRS card per learner (the ``fsrs`` package's ``Scheduler``), its state and
due date stored in SQLite. The learner's answer becomes a rating:

- wrong -> ``Again``
- right, slower than ``SLOW_SECONDS`` -> ``Hard``
- right, faster than ``FAST_SECONDS`` -> ``Easy``
- right otherwise -> ``Good``

>>> rating(False, 3), rating(True, 45), rating(True, 12), rating(True, 2)
(<Rating.Again: 1>, <Rating.Hard: 2>, <Rating.Good: 3>, <Rating.Easy: 4>)

The scheduler runs without fuzzing: a class's due dates need no load spreading, and the same answers give the same
schedule (the tests compare each due date with ``Scheduler.review_card`` called directly).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Sequence

from fsrs import Card, Rating, Scheduler
from sqlalchemy import text

from . import db
from .db import patiently

FAST_SECONDS = 5.0  # a right answer this quick was easy
SLOW_SECONDS = 30.0  # a right answer this slow was hard


def rating(correct: bool, seconds: float) -> Rating:
    """The FSRS rating of one answer from its correctness and how long it took (see the module docstring)."""
    if not correct:
        return Rating.Again
    if seconds > SLOW_SECONDS:
        return Rating.Hard
    return Rating.Easy if seconds < FAST_SECONDS else Rating.Good


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text)


def new_card(card: str, now: datetime) -> Card:
    """A fresh card; its FSRS id comes from the item id so creating one never sleeps (fsrs.Card's default does)."""
    return Card(card_id=int(hashlib.sha1(card.encode()).hexdigest()[:12], 16), due=now)


def default_scheduler() -> Scheduler:
    return Scheduler(enable_fuzzing=False)


class Deck:
    """Every learner's cards in ``path``.

    >>> deck = Deck(tmp / "t.sqlite3", clock=lambda: T0)                      # doctest: +SKIP
    >>> deck.review("ann", item, correct=False, seconds=4).due - T0            # doctest: +SKIP
    datetime.timedelta(seconds=60)
    """

    def __init__(self, path: Path | str, scheduler: Scheduler | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)):
        self.path, self.scheduler, self.clock = path, scheduler or default_scheduler(), clock
        self.engine = db.create(path)

    def card(self, learner: str, card: str) -> Card | None:
        with self.engine.connect() as conn:
            row = conn.execute(text("SELECT state FROM cards WHERE learner = :learner AND card = :card"),
                               {"learner": learner, "card": card}).first()
        return Card.from_json(row[0]) if row else None

    def review(self, learner: str, item, correct: bool, seconds: float) -> Card:
        """Rate one answer to ``item`` (a QuizItem), reschedule its card and store both; returns the new card."""
        now = self.clock()
        # the read is waited out too: a database restarting as the learner answers must not lose the review
        card = patiently(lambda: self.card(learner, item.id)) or new_card(item.id, now)
        grade = rating(correct, seconds)
        card, _ = self.scheduler.review_card(card, grade, now, review_duration=int(seconds * 1000))
        section = getattr(item, "section", "") or ""
        row = dict(learner=learner, card=item.id, unit=item.unit, section=section, state=card.to_json(),
                   due=card.due.isoformat(), stability=card.stability, last_review=now.isoformat(),
                   correct=int(correct), seconds=seconds, rating=int(grade))
        patiently(lambda: self._store(row))  # a restarting database is waited out, not a lost review
        return card

    def _store(self, row: dict) -> None:
        with self.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO cards (learner, card, unit, section, state, due, stability, last_review) "
                "VALUES (:learner, :card, :unit, :section, :state, :due, :stability, :last_review) "
                "ON CONFLICT (learner, card) DO UPDATE SET state = excluded.state, due = excluded.due, "
                "stability = excluded.stability, last_review = excluded.last_review"), row)
            conn.execute(text(
                "INSERT INTO card_reviews (learner, card, unit, section, correct, seconds, rating, reviewed) "
                "VALUES (:learner, :card, :unit, :section, :correct, :seconds, :rating, :last_review)"), row)

    def schedule(self, learner: str, ids: Sequence[str]) -> dict[str, datetime]:
        """{item id: due} of the learner's cards among ``ids`` (items never answered are absent)."""
        wanted = set(ids)
        with self.engine.connect() as conn:
            rows = conn.execute(text("SELECT card, due FROM cards WHERE learner = :learner"), {"learner": learner})
            return {card: utc(due) for card, due in rows if card in wanted}

    def pick(self, learner: str, ids: Sequence[str], skip: str = "") -> tuple[int | None, str]:
        """Which item to show next, as (index into ``ids``, why): the most overdue card (``"due"``), else the first
        item never answered (``"new"``), else the card due soonest (``"ahead"``); ``skip`` (the card just shown)
        only when nothing else is left. (None, "") for no items."""
        if not ids:
            return None, ""
        due, now = self.schedule(learner, ids), self.clock()
        position = {card: i for i, card in enumerate(ids)}
        overdue = sorted((d, c) for c, d in due.items() if d <= now and c != skip)
        if overdue:
            return position[overdue[0][1]], "due"
        fresh = [i for i, card in enumerate(ids) if card not in due and card != skip]
        if fresh:
            return fresh[0], "new"
        later = sorted((d, c) for c, d in due.items() if c != skip) or sorted((d, c) for c, d in due.items())
        return (position[later[0][1]], "ahead") if later else (position[skip], "new")
