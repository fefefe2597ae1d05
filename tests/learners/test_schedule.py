"""Spaced practice: the real fsrs scheduler and a real SQLite file in a temporary folder."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from fsrs import Card, Rating, Scheduler

from tutor.learners.schedule import Deck, new_card, rating
from tutor.study.items import QuizItem

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def item(n: int, unit: str = "u1", section: str = "Part A") -> QuizItem:
    s = f"Sentence number {n} of the practice unit names twelve services here."
    return QuizItem(f"c{n}", s, "twelve", "number", s.index("twelve"), "u.txt", n, 0, 10, s, s, unit=unit,
                    section=section)


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_the_rating_rule():
    assert [rating(False, 1), rating(False, 99)] == [Rating.Again, Rating.Again]
    assert [rating(True, 2), rating(True, 10), rating(True, 60)] == [Rating.Easy, Rating.Good, Rating.Hard]


def test_due_dates_are_the_librarys_own(tmp_path):
    """The same answers given to Scheduler.review_card directly give the same due dates, review after review."""
    clock = Clock(T0)
    deck = Deck(tmp_path / "t.sqlite3", clock=clock)
    reference, card = Scheduler(enable_fuzzing=False), new_card(item(1).id, T0)
    for correct, seconds, wait in [(False, 4, 0), (True, 12, 2), (True, 3, 30), (True, 50, 24 * 60), (False, 9, 0)]:
        clock.now += timedelta(minutes=wait)
        stored = deck.review("ann", item(1), correct, seconds)
        card, _ = reference.review_card(card, rating(correct, seconds), clock.now, review_duration=int(seconds * 1000))
        assert stored.due == card.due and stored.stability == card.stability
        assert Deck(tmp_path / "t.sqlite3").card("ann", item(1).id).due == card.due  # as stored, read back
    assert deck.card("bob", item(1).id) is None  # per learner


def test_due_cards_come_first_then_new_ones(tmp_path):
    clock = Clock(T0)
    deck = Deck(tmp_path / "t.sqlite3", clock=clock)
    items = [item(n) for n in range(4)]
    ids = [i.id for i in items]
    assert deck.pick("ann", ids) == (0, "new")
    deck.review("ann", items[0], False, 5)  # wrong: Again, due in a minute
    deck.review("ann", items[1], True, 10)  # right: Good
    assert deck.pick("ann", ids, skip=ids[1]) == (2, "new")  # nothing due yet
    clock.now += timedelta(minutes=2)
    assert deck.pick("ann", ids) == (0, "due")  # the wrong answer is due again before any new card
    assert deck.pick("bob", ids) == (0, "new")
    for i in items[2:]:
        deck.review("ann", i, True, 10)
    deck.review("ann", items[0], True, 10)
    index, why = deck.pick("ann", ids)
    assert why == "ahead"


def test_cards_are_per_learner_and_purged_with_the_log(tmp_path):
    from tutor.app.store import Store

    deck = Deck(tmp_path / "t.sqlite3", clock=lambda: T0)
    deck.review("ann", item(1), True, 10)
    deck.review("bob", item(1), False, 10)
    store = Store(tmp_path / "t.sqlite3")
    store.purge(learner="ann")
    assert deck.card("ann", item(1).id) is None and deck.card("bob", item(1).id) is not None
    store.purge(before="2026-03-03")
    assert deck.card("bob", item(1).id) is None


def test_purging_a_browser_session_takes_its_anonymous_cards_not_an_accounts(tmp_path):
    from tutor.app.store import Store
    from tutor.learners.accounts import Accounts
    from tutor.types import Answer

    path = tmp_path / "t.sqlite3"
    deck, store = Deck(path, clock=lambda: T0), Store(path)
    Accounts(path).add("ann", "a long secret")
    for learner, session in (("hash-1", "s1"), ("ann", "s2")):
        deck.review(learner, item(1), True, 10)
        store.log("What is X?", [], Answer("declined", ""), session=session, learner=learner)
    store.purge(session="s1")
    store.purge(session="s2")
    assert deck.card("hash-1", item(1).id) is None and deck.card("ann", item(1).id) is not None


def test_a_review_waits_out_a_database_that_is_away_when_its_card_is_read(tmp_path, monkeypatch):
    """The card is read before it is rescheduled: a restarting database at that moment is retried, not a lost
    review (it used to raise there, and the app showed the feedback and counted an answer it never stored)."""
    from sqlalchemy.exc import OperationalError

    deck = Deck(tmp_path / "t.sqlite3", clock=Clock(T0))
    read, fails = deck.card, iter([True, True])

    def away_then_back(learner, card):
        if next(fails, False):
            raise OperationalError("SELECT state FROM cards", {}, Exception("server closed the connection"))
        return read(learner, card)

    monkeypatch.setattr(deck, "card", away_then_back)
    deck.review("ann", item(1), correct=True, seconds=5)
    assert read("ann", item(1).id) is not None
