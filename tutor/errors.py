"""One error family for the package. The CLI and the UI turn these into a message, never a traceback."""

from __future__ import annotations

import errno
import sqlite3
import traceback
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


class TutorError(Exception):
    """Base class: the message says what happened and what to do next."""


class ConfigError(TutorError):
    """A setting is invalid or a needed package is missing."""


class NoIndexError(TutorError):
    """The index has not been built yet."""

    def __init__(self, location: str):
        super().__init__(f"No index found at {location}. Run: tutor ingest")


class InputError(TutorError):
    """The learner's input cannot be answered as it is (empty, too long)."""


class BackendError(TutorError):
    """An answer backend failed (error, timeout, or nothing verifiable); the chain tries the next one."""


def missing_extra(package: str, extra: str) -> ConfigError:
    """The error for an optional dependency that is not installed, naming the extra that brings it."""
    return ConfigError(f"{package} is not installed. Run: pip install 'tutor[{extra}]'")


def explain(exc: BaseException, index_dir: Path, db: Path) -> str:
    """One line saying what to do, for any error the CLI (and so the app's start) meets. A ``TutorError`` already
    says it; low-level errors are recognised by kind and by where they were raised, e.g. a truncated
    ``manifest.json`` (``json.JSONDecodeError`` in ``tutor/ingest/index.py``) becomes "The index at index/ is
    damaged (...). Run: tutor ingest --rebuild"."""
    if isinstance(exc, TutorError):
        return str(exc)
    brief = f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
    if isinstance(exc, OSError) and exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (f"Cannot use {exc.filename or index_dir} ({exc.strerror}). Make it readable and writable for this "
                "user, or set TUTOR_INDEX_DIR (or TUTOR_DB) to a folder you can write to.")
    if "readonly" in brief.lower() or "read-only" in brief.lower():
        return (f"Something the tutor writes to is read-only ({brief}). Make {index_dir} and {db.parent} writable, "
                "or set TUTOR_INDEX_DIR and TUTOR_DB to folders you can write to.")
    if _raised_in(exc, ("ingest/index.py", "ingest/keyword.py")):
        return f"The index at {index_dir} is damaged ({brief}). Run: tutor ingest --rebuild"
    if isinstance(exc, sqlite3.Error) or type(exc).__module__.startswith("sqlalchemy"):
        return (f"The database ({db}, or TUTOR_DATABASE_URL when set) could not be used ({brief}). If another program "
                "holds it, stop that and try again; otherwise set TUTOR_DB to a new file or TUTOR_DATABASE_URL to a "
                "running server.")
    if isinstance(exc, OSError):
        return f"{brief}. Check that path and its permissions."
    return f"Unexpected error ({brief}). Run again with -v to see where, and please report it."


def _raised_in(exc: BaseException, files: tuple[str, ...]) -> bool:
    """Whether the innermost frame of this package in the traceback is in one of ``files``."""
    ours = [f.filename for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(str(PACKAGE))]
    return bool(ours) and Path(ours[-1]).as_posix().endswith(files)
