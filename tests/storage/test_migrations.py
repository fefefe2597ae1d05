"""Migrations on SQLite: a new file gets every table, a file from before migrations is taken over in place with its
rows, and a database from a newer version is refused with a message saying what to do."""

from __future__ import annotations

import sqlite3
import stat

import pytest

from tutor.app.store import Store
from tutor.storage import open_database
from tutor.storage.migrate import NewerDatabase, current, head

# The schema the raw-sqlite3 code wrote before some chats columns existed, with one answer and one alert in it.
OLD = """
CREATE TABLE chats (id INTEGER PRIMARY KEY AUTOINCREMENT, session TEXT NOT NULL, created TEXT NOT NULL,
    question TEXT NOT NULL, history TEXT NOT NULL, status TEXT NOT NULL, backend TEXT NOT NULL,
    verified INTEGER NOT NULL, answer TEXT NOT NULL);
INSERT INTO chats (session, created, question, history, status, backend, verified, answer)
    VALUES ('s1', '2026-01-02T03:04:05Z', 'What is a budget?', '[]', 'answered', 'extractive', 1, '{}');
CREATE TABLE alerts (id TEXT PRIMARY KEY, created TEXT NOT NULL, unit TEXT NOT NULL, session TEXT NOT NULL,
    message TEXT NOT NULL, level TEXT NOT NULL, score REAL NOT NULL, part TEXT NOT NULL DEFAULT '',
    seen INTEGER NOT NULL DEFAULT 0, seen_at TEXT NOT NULL DEFAULT '', email TEXT NOT NULL DEFAULT 'off',
    webhook TEXT NOT NULL DEFAULT 'off');
INSERT INTO alerts (id, created, unit, session, message, level, score) VALUES ('a1', '2026-01-02T03:04:05Z', '',
    's1', 'help', 'concern', 0.5);
"""


def test_a_new_file_gets_every_table_at_head(tmp_path):
    engine = open_database(tmp_path / "new" / "tutor.sqlite3")
    assert current(engine) == head()
    tables = {r[0] for r in sqlite3.connect(tmp_path / "new" / "tutor.sqlite3").execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"chats", "reviews", "learners", "cards", "card_reviews", "alerts", "lti_platforms"} <= tables
    assert stat.S_IMODE((tmp_path / "new" / "tutor.sqlite3").stat().st_mode) == 0o600


def test_a_file_from_before_migrations_is_migrated_in_place(tmp_path):
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.executescript(OLD)
    store = Store(path)
    chat = store.chat(1)
    assert chat["question"] == "What is a budget?" and (chat["learner"], chat["unit"], chat["on_question"]) == ("", "", 1)
    assert current(store.engine) == head()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT message FROM alerts").fetchall() == [("help",)]
        assert conn.execute("SELECT COUNT(*) FROM learners").fetchone() == (0,)  # the tables it lacked are there


def test_a_database_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "newer.sqlite3"
    open_database(path)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    from tutor.storage import engine as engine_module

    engine_module._engines.clear()  # as a fresh process would open it
    with pytest.raises(NewerDatabase, match="written by a newer version of the tutor .migration 9999"):
        open_database(path)
