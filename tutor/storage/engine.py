"""Engines: one per database per process, made and migrated once (``open_database``).

SQLite (a path, or ``sqlite:///...``): the file is created 0600 in a 0700 folder, in WAL mode, with foreign keys
and secure delete on; a connection per use (``NullPool``), as the app's raw sqlite3 code did, so a lock held by
another process is waited out for ``BUSY_SECONDS`` per statement. Postgres (``postgresql://...``): a pool per
process with ``pool_pre_ping``, so a restarted server costs the requests in flight, never a restart of the app.

>>> url_of("data/tutor.sqlite3"), url_of("postgresql://tutor@/tutor?host=/tmp")
('sqlite:///data/tutor.sqlite3', 'postgresql+psycopg://tutor@/tutor?host=/tmp')
"""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool, StaticPool

from ..errors import TutorError

BUSY_SECONDS = 1.0  # how long one SQLite statement waits for another connection's lock
POOL = {"pool_size": 5, "max_overflow": 10, "pool_timeout": 10}  # per process; Postgres allows 100 by default
CONNECT_SECONDS = 5  # how long a Postgres connection attempt waits before the request fails with a clear error

_engines: dict[str, Engine] = {}  # one pool and one migration check per database per process, whoever asks
_lock = threading.Lock()


class DatabaseUnreachable(TutorError):
    """The database named by the settings cannot be reached (at start, or while the app runs)."""


def url_of(target: str | Path) -> str:
    """A SQLAlchemy URL: a path becomes a SQLite URL, ``postgresql://`` uses psycopg 3."""
    text = str(target)
    if "://" not in text:
        return f"sqlite:///{Path(text).expanduser()}"
    if text.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + text.split("://", 1)[1]
    return text


def database_of(settings) -> str:
    """Where the app stores everything: ``TUTOR_DATABASE_URL`` when set, else the SQLite file ``TUTOR_DB``."""
    return getattr(settings, "database_url", "") or str(settings.db)


def shown(url: str) -> str:
    """The database for messages: a SQLite file's path, or the URL with its password hidden."""
    if url.startswith("sqlite:///"):
        return url.removeprefix("sqlite:///")
    return make_url(url).render_as_string(hide_password=True).replace("postgresql+psycopg://", "postgresql://")


def open_database(target: str | Path) -> Engine:
    """The engine on ``target`` with every table at this version's schema (migrating an older database in place).
    Raises ``DatabaseUnreachable`` naming the setting when the server does not answer."""
    url = url_of(target)
    with _lock:
        engine = _engines.get(url)
        if engine is None or url in ("sqlite://", "sqlite:///:memory:"):
            engine = _make(url)
            from .migrate import upgrade

            try:
                upgrade(engine)
            except OperationalError as exc:
                engine.dispose()
                raise unreachable(url, exc) from None
            _engines[url] = engine
        return engine


def unreachable(url: str, exc: BaseException) -> DatabaseUnreachable:
    why = " ".join(str(getattr(exc, "orig", exc)).split())[:200]
    if url.startswith("sqlite"):
        return DatabaseUnreachable(f"The database {url.removeprefix('sqlite:///')} could not be used ({why}). If "
                                   "another program holds it, stop that and try again; otherwise set TUTOR_DB to a "
                                   "new file.")
    return DatabaseUnreachable(f"Cannot reach the database TUTOR_DATABASE_URL={shown(url)} ({why}). Start it, or set "
                               "TUTOR_DATABASE_URL to one that is running (empty: the SQLite file TUTOR_DB).")


def _make(url: str) -> Engine:
    if url in ("sqlite://", "sqlite:///:memory:"):
        engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
    elif url.startswith("sqlite:///"):
        from ..app.auth import private_file, private_folder

        path = Path(url.removeprefix("sqlite:///"))
        private_folder(path.parent)
        private_file(path)
        engine = create_engine(url, poolclass=NullPool, connect_args={"timeout": BUSY_SECONDS})
    elif url.startswith("sqlite"):
        raise TutorError(f"Unsupported SQLite URL {url}. Use sqlite:///path/to/file or a plain path.")
    else:
        args = {"connect_timeout": CONNECT_SECONDS} if url.startswith("postgresql") else {}
        engine = create_engine(url, pool_pre_ping=True, connect_args=args, **POOL)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(conn, _record) -> None:
    conn.execute("PRAGMA foreign_keys = ON")  # a removed chat takes its reviews; a platform its deployments
    conn.execute("PRAGMA secure_delete = ON")  # a purged disclosure is overwritten, not left in free pages
    conn.execute("PRAGMA journal_mode = WAL")  # readers never block the chat's writes


def checkpoint(engine: Engine) -> None:
    """After a purge: on SQLite the deleted rows leave the write-ahead log too (nothing to do on Postgres)."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
