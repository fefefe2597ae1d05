"""Progress from a real SQLite file: the recall is the fsrs scheduler's own retrievability."""

from __future__ import annotations

from datetime import timedelta

from fsrs import Scheduler

from tutor.app.store import Store
from tutor.learners import progress
from tutor.learners.schedule import Deck

from tests.learners.test_schedule import T0, Clock, item


def test_sections_due_cards_recall_and_questions(tmp_path):
    path, clock = tmp_path / "t.sqlite3", Clock(T0)
    deck = Deck(path, clock=clock)
    card = deck.review("ann", item(1, section="Part A"), True, 10)
    deck.review("ann", item(2, section="Part B"), False, 10)
    deck.review("bob", item(1, section="Part A"), True, 3)
    later = T0 + timedelta(days=3)
    rows = progress.sections(path, "ann", "u1", now=later)
    assert [r["section"] for r in rows] == ["Part A", "Part B"] and [r["due"] for r in rows] == [1, 1]
    assert rows[0]["recall"] == round(Scheduler(enable_fuzzing=False).get_card_retrievability(card, later), 3)
    summary = progress.summary(path, "ann", "u1", now=later)
    assert summary["sections practised"] == 2 and summary["cards due"] == 2 and summary["questions asked"] == 0
    whole_class = progress.class_view(path, "u1", now=later)
    assert [r["learner"] for r in whole_class] == ["ann", "bob"] and whole_class[1]["cards"] == 1
    text = progress.to_csv(whole_class)
    assert text.splitlines()[0] == "learner,sections practised,cards,cards due,recall,questions asked"
    assert len(text.splitlines()) == 3 and Store(path).count() == 0
