"""The SQLite schema of everything stored in ``TUTOR_DB``: the chat log and its reviews (``app.store``), learner
accounts, and each learner's practice cards and their reviews. One place, so a purge reaches every table.

A learner is a signed-in account's name or, with ``TUTOR_SIGN_IN=0``, the browser session's random id.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ..app.auth import private_file, private_folder

BUSY_SECONDS = 1.0  # how long one statement waits for another connection's lock

SCHEMA = """
CREATE TABLE IF NOT EXISTS chats (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session TEXT NOT NULL,          -- the browser session, so one learner's conversation can be read in order
    created TEXT NOT NULL,          -- UTC, ISO 8601
    question TEXT NOT NULL,
    history TEXT NOT NULL,          -- JSON list of the conversation's earlier questions
    status TEXT NOT NULL,           -- answered | declined | safeguarding
    backend TEXT NOT NULL,          -- the backend that wrote the answer ('' when none did)
    reason TEXT NOT NULL DEFAULT '', -- which guard or check declined or signposted it
    verified INTEGER NOT NULL,      -- 1 when every sentence passed verification
    answer TEXT NOT NULL,           -- Answer.to_json(): text, sentences, citations, retrieved passages, timings
    learner TEXT NOT NULL DEFAULT '', -- the signed-in learner, or the session id when sign-in is off
    unit TEXT NOT NULL DEFAULT '',  -- the unit asked ('' for all units)
    on_question INTEGER NOT NULL DEFAULT 1 -- 0: only the closest passages were shown
);
CREATE TABLE IF NOT EXISTS reviews (
    chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
    sentence INTEGER NOT NULL,
    citation INTEGER NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('correct', 'wrong', 'missing-better-passage')),
    comment TEXT NOT NULL DEFAULT '',
    updated TEXT NOT NULL,
    PRIMARY KEY (chat_id, sentence, citation)
);
CREATE TABLE IF NOT EXISTS learners (
    name TEXT PRIMARY KEY,
    hash TEXT NOT NULL,             -- bcrypt hash of the password (never the password)
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cards (  -- one quiz item as an FSRS card, per learner
    learner TEXT NOT NULL,
    card TEXT NOT NULL,             -- the quiz item's id
    unit TEXT NOT NULL,
    section TEXT NOT NULL,
    state TEXT NOT NULL,            -- fsrs.Card.to_json()
    due TEXT NOT NULL,              -- UTC, ISO 8601 (copied from state, for the due query)
    stability REAL,
    last_review TEXT,
    PRIMARY KEY (learner, card)
);
CREATE INDEX IF NOT EXISTS cards_due ON cards (learner, unit, due);
CREATE TABLE IF NOT EXISTS card_reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    learner TEXT NOT NULL,
    card TEXT NOT NULL,
    unit TEXT NOT NULL,
    section TEXT NOT NULL,
    correct INTEGER NOT NULL,
    seconds REAL NOT NULL,          -- time from the card shown to the answer checked
    rating INTEGER NOT NULL,        -- fsrs.Rating: 1 Again, 2 Hard, 3 Good, 4 Easy
    reviewed TEXT NOT NULL          -- UTC, ISO 8601
);
CREATE INDEX IF NOT EXISTS card_reviews_learner ON card_reviews (learner, unit);
CREATE INDEX IF NOT EXISTS chats_learner ON chats (learner, unit);
CREATE TABLE IF NOT EXISTS question_vectors (  -- embeddings of unanswered questions, so the tutors' view is quick
    question TEXT PRIMARY KEY,
    vector BLOB NOT NULL            -- float32, unit length
);
"""
_ADDED = {"reason": "TEXT NOT NULL DEFAULT ''", "learner": "TEXT NOT NULL DEFAULT ''",
          "unit": "TEXT NOT NULL DEFAULT ''", "on_question": "INTEGER NOT NULL DEFAULT 1"}


def connect(path: Path | str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=BUSY_SECONDS)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA secure_delete = ON")  # a purged disclosure is overwritten, not left in free pages
    return conn


def create(path: Path | str) -> None:
    """Create the file (0600, its folder 0700 when made here) and every table; add columns older files lack."""
    path = Path(path)
    private_folder(path.parent)
    private_file(path)
    conn = connect(path)
    try:
        with conn:
            conn.execute("PRAGMA journal_mode=WAL")  # readers never block the chat's writes
            columns = {r[1] for r in conn.execute("PRAGMA table_info(chats)")}
            if columns:  # a database from before some columns existed
                for name, kind in _ADDED.items():
                    if name not in columns:
                        conn.execute(f"ALTER TABLE chats ADD COLUMN {name} {kind}")
            conn.executescript(SCHEMA)
    finally:
        conn.close()


def purge(conn: sqlite3.Connection, before: str | None = None, learner: str | None = None,
          session: str | None = None) -> dict[str, int]:
    """Delete what was stored before ``before`` and/or of one ``learner`` or ``session`` from every table that
    holds learners' data; returns rows deleted per table. With no condition, nothing."""
    # chats last: an anonymous learner's cards are found through the session's chats
    columns = {"card_reviews": ("reviewed", "learner"), "cards": ("COALESCE(last_review, due)", "learner"),
               "chats": ("created", "learner")}
    deleted = {}
    for table, (when, who) in columns.items():
        where = [(c, v) for c, v in ((f"{when} < ?", before), (f"{who} = ?", learner)) if v]
        if session and table == "chats":
            where.append(("session = ?", session))
        elif session:
            where.append((f"({who} = ? OR {who} IN (SELECT learner FROM chats WHERE session = ? AND learner NOT IN "
                          "(SELECT name FROM learners)))", session))
        values = [x for c, v in where for x in ([v, v] if "IN (SELECT learner" in c else [v])]
        deleted[table] = conn.execute(f"DELETE FROM {table} WHERE " + " AND ".join(c for c, _ in where),
                                      values).rowcount if where else 0
    # a question's embedding goes with the last logged answer that asked it
    conn.execute("DELETE FROM question_vectors WHERE question NOT IN (SELECT question FROM chats)")
    return deleted
