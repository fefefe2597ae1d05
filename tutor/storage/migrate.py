"""Alembic migrations, run by ``open_database``: a database is brought to this version's schema before use.

- a new database gets every table;
- a SQLite file from before migrations existed (tables, no ``alembic_version``) is taken over in place by the first
  revision, which adds what it lacks and keeps every row;
- a database written by a newer version of the tutor (a revision this one does not know) is refused with a message
  saying so, rather than used with a schema this code does not understand.

Several processes starting at once on Postgres take turns (a transaction-level advisory lock).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from ..errors import TutorError

SCRIPTS = Path(__file__).resolve().parent / "migrations"
LOCK_KEY = 2712  # the advisory lock migrations hold on Postgres


class NewerDatabase(TutorError):
    """The database was migrated by a newer version of the tutor."""


def config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPTS))
    return cfg


def head() -> str:
    return ScriptDirectory.from_config(config()).get_current_head()


def current(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Bring ``engine``'s database to ``head()``; a no-op (one query) when it is there already."""
    known = head()
    if current(engine) == known:
        return
    scripts = ScriptDirectory.from_config(config())
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
        found = MigrationContext.configure(conn).get_current_revision()
        if found is not None and found not in {s.revision for s in scripts.walk_revisions()}:
            raise NewerDatabase(
                f"The database {engine.url.render_as_string(hide_password=True)} was written by a newer version of "
                f"the tutor (migration {found}; this version knows up to {known}). Upgrade the tutor to the version "
                "that wrote it, or point TUTOR_DATABASE_URL (or TUTOR_DB) at another database.")
        cfg = config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
