"""Unanswered questions grouped by meaning with the real bundled embedding model, from a real SQLite log."""

from __future__ import annotations

import pytest

from tutor.app.store import Store
from tutor.ingest.embed import bundled
from tutor.learners.unanswered import groups
from tutor.types import Answer

pytestmark = pytest.mark.slow


def test_declined_and_closest_passage_questions_grouped_and_disclosures_never_shown(tmp_path):
    store = Store(tmp_path / "t.sqlite3")
    asked = [("How tall is the harbour lighthouse?", "declined", True),
             ("What is the height of the lighthouse at the harbour?", "declined", True),
             ("Which football team won the cup last year?", "answered", False),
             ("Who is the best goalkeeper in the league?", "declined", True),
             ("What does the board spend on cranes?", "answered", True),  # answered: not listed
             ("Someone at home hurts me and I am scared", "safeguarding", True)]
    for question, status, on_question in asked:
        store.log(question, [], Answer(status, "", on_question=on_question), session="s1", unit="u1")
    found = groups(tmp_path / "t.sqlite3", bundled().embed_documents)
    assert sum(g["questions"] for g in found) == 4 and found[0]["questions"] == 2
    assert "lighthouse" in found[0]["examples"] and found[0]["unit"] == "u1"
    assert not any("hurts" in g["examples"] or "cranes" in g["examples"] for g in found)
    import sqlite3

    stored = sqlite3.connect(tmp_path / "t.sqlite3").execute("SELECT COUNT(*) FROM question_vectors").fetchone()[0]
    assert stored == 4 and groups(tmp_path / "t.sqlite3", lambda texts: 1 / 0) == found  # read back, not re-embedded
    store.purge(session="s1")
    assert sqlite3.connect(tmp_path / "t.sqlite3").execute("SELECT COUNT(*) FROM question_vectors").fetchone()[0] == 0
