"""The app's tables as SQLAlchemy Core, one ``MetaData`` with LTI's (``tutor/lti/tables.py``), so one migration
history covers every table. Times are UTC ISO 8601 text, as the SQLite files before migrations stored them.
"""

from __future__ import annotations

from sqlalchemy import (CheckConstraint, Column, Float, ForeignKey, Index, Integer, LargeBinary, PrimaryKeyConstraint,
                        Table, Text)

from ..lti.tables import metadata  # one MetaData: Alembic compares and migrates every table together

chats = Table(
    "chats", metadata,
    Column("id", Integer, primary_key=True),
    Column("session", Text, nullable=False),  # the browser session, so one conversation can be read in order
    Column("created", Text, nullable=False),
    Column("question", Text, nullable=False),
    Column("history", Text, nullable=False),  # JSON list of the conversation's earlier questions
    Column("status", Text, nullable=False),  # answered | declined | safeguarding
    Column("backend", Text, nullable=False),  # the backend that wrote the answer ('' when none did)
    Column("reason", Text, nullable=False, server_default=""),  # which guard or check declined or signposted it
    Column("verified", Integer, nullable=False),  # 1 when every sentence passed verification
    Column("answer", Text, nullable=False),  # Answer.to_json()
    Column("learner", Text, nullable=False, server_default=""),  # the signed-in learner, or the session id
    Column("unit", Text, nullable=False, server_default=""),  # the unit asked ('' for all units)
    Column("on_question", Integer, nullable=False, server_default="1"),  # 0: only the closest passages were shown
    sqlite_autoincrement=True,
)
Index("chats_learner", chats.c.learner, chats.c.unit)

reviews = Table(
    "reviews", metadata,
    Column("chat_id", Integer, ForeignKey("chats.id", ondelete="CASCADE"), nullable=False),
    Column("sentence", Integer, nullable=False),
    Column("citation", Integer, nullable=False),
    Column("verdict", Text, nullable=False),
    Column("comment", Text, nullable=False, server_default=""),
    Column("updated", Text, nullable=False),
    PrimaryKeyConstraint("chat_id", "sentence", "citation"),
    CheckConstraint("verdict IN ('correct', 'wrong', 'missing-better-passage')", name="reviews_verdict"),
)

learners = Table(
    "learners", metadata,
    Column("name", Text, primary_key=True),
    Column("hash", Text, nullable=False),  # bcrypt hash of the password (never the password)
    Column("created", Text, nullable=False),
)

cards = Table(  # one quiz item as an FSRS card, per learner
    "cards", metadata,
    Column("learner", Text, nullable=False),
    Column("card", Text, nullable=False),  # the quiz item's id
    Column("unit", Text, nullable=False),
    Column("section", Text, nullable=False),
    Column("state", Text, nullable=False),  # fsrs.Card.to_json()
    Column("due", Text, nullable=False),  # copied from state, for the due query
    Column("stability", Float),
    Column("last_review", Text),
    PrimaryKeyConstraint("learner", "card"),
)
Index("cards_due", cards.c.learner, cards.c.unit, cards.c.due)

card_reviews = Table(
    "card_reviews", metadata,
    Column("id", Integer, primary_key=True),
    Column("learner", Text, nullable=False),
    Column("card", Text, nullable=False),
    Column("unit", Text, nullable=False),
    Column("section", Text, nullable=False),
    Column("correct", Integer, nullable=False),
    Column("seconds", Float, nullable=False),  # time from the card shown to the answer checked
    Column("rating", Integer, nullable=False),  # fsrs.Rating: 1 Again, 2 Hard, 3 Good, 4 Easy
    Column("reviewed", Text, nullable=False),
    sqlite_autoincrement=True,
)
Index("card_reviews_learner", card_reviews.c.learner, card_reviews.c.unit)

question_vectors = Table(  # embeddings of unanswered questions, so the tutors' view is quick
    "question_vectors", metadata,
    Column("question", Text, primary_key=True),
    Column("vector", LargeBinary, nullable=False),  # float32, unit length
)

alerts = Table(  # the DSL's safeguarding queue (tutor/alerts/queue.py)
    "alerts", metadata,
    Column("id", Text, primary_key=True),  # random, chosen before the write
    Column("created", Text, nullable=False),
    Column("unit", Text, nullable=False),
    Column("session", Text, nullable=False),
    Column("message", Text, nullable=False),  # what the learner wrote
    Column("level", Text, nullable=False),  # disclosure | concern
    Column("score", Float, nullable=False),  # the classifier's score of the most serious part
    Column("part", Text, nullable=False, server_default=""),  # that part
    Column("seen", Integer, nullable=False, server_default="0"),
    Column("seen_at", Text, nullable=False, server_default=""),
    Column("email", Text, nullable=False, server_default="off"),  # off | pending | sending | sent | failed: <why>
    Column("webhook", Text, nullable=False, server_default="off"),
)
Index("alerts_created", alerts.c.created)
