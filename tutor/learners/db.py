"""Everything stored about learners, in the app's database (``TUTOR_DATABASE_URL``, else the SQLite file
``TUTOR_DB``): the chat log and its reviews (``app.store``), learner accounts, and each learner's practice cards and
their reviews. The tables are in ``tutor/storage/tables.py``; this module is the one place a purge reaches every
table from.

A learner is a signed-in account's name or, with ``TUTOR_SIGN_IN=0``, the browser session's random id.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Callable, TypeVar

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError, OperationalError

from ..storage import open_database
from ..storage.engine import BUSY_SECONDS  # noqa: F401 - re-exported: how long a statement waits for a lock


def create(target: Path | str) -> Engine:
    """The engine on ``target`` (a SQLite path or a database URL) with every table at this version's schema; a
    SQLite file is created 0600 (its folder 0700 when made here)."""
    return open_database(target)


T = TypeVar("T")
RETRY_SECONDS = 15.0  # how long a learner's write (a practice answer) is retried while the database restarts
log = logging.getLogger(__name__)


def transient(exc: BaseException) -> bool:
    """A failure worth retrying: a locked SQLite file, a Postgres server restarting or a dropped connection."""
    return isinstance(exc, OperationalError) or (isinstance(exc, DBAPIError) and exc.connection_invalidated)


def patiently(write: Callable[[], T], seconds: float = RETRY_SECONDS) -> T:
    """``write()``, retried with growing pauses while the database is briefly away; the last error is raised."""
    delay, deadline = 0.1, time.monotonic() + seconds
    while True:
        try:
            return write()
        except Exception as exc:
            if not transient(exc) or time.monotonic() + delay > deadline:
                raise
            log.warning("database busy or away (%s); retrying in %.1f s", type(exc).__name__, delay)
            time.sleep(delay)
            delay = min(delay * 2, 2.0)


def purge(conn: Connection, before: str | None = None, learner: str | None = None,
          session: str | None = None) -> dict[str, int]:
    """Delete what was stored before ``before`` and/or of one ``learner`` or ``session`` from every table that
    holds learners' data; returns rows deleted per table. With no condition, nothing."""
    # chats last: an anonymous learner's cards are found through the session's chats
    columns = {"card_reviews": ("reviewed", "learner"), "cards": ("COALESCE(last_review, due)", "learner"),
               "chats": ("created", "learner")}
    values = {"before": before, "learner": learner, "session": session}
    deleted = {}
    for table, (when, who) in columns.items():
        where = [c for c, v in ((f"{when} < :before", before), (f"{who} = :learner", learner)) if v]
        if session and table == "chats":
            where.append("session = :session")
        elif session:
            where.append(f"({who} = :session OR {who} IN (SELECT learner FROM chats WHERE session = :session AND "
                         "learner NOT IN (SELECT name FROM learners)))")
        deleted[table] = conn.execute(text(f"DELETE FROM {table} WHERE " + " AND ".join(where)),
                                      values).rowcount if where else 0
    # a question's embedding goes with the last logged answer that asked it
    conn.execute(text("DELETE FROM question_vectors WHERE question NOT IN (SELECT question FROM chats)"))
    return deleted
