"""Learner accounts in ``TUTOR_DB``: a name and a bcrypt hash of the password, never the password itself.

>>> accounts = Accounts(tmp / "tutor.sqlite3")                 # doctest: +SKIP
>>> accounts.add("ann", "correct horse"); accounts.verify("ann", "correct horse")   # doctest: +SKIP
True

With ``TUTOR_SIGN_IN=1`` the app asks for a name and password (Gradio's ``auth=`` calls ``verify``); with it off a
learner is anonymous, known only by the browser session (``learner_of``).
"""

from __future__ import annotations

import csv
import re
import time
from pathlib import Path

import bcrypt
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from ..errors import TutorError
from ..app.auth import signed_in_as
from . import db

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MIN_PASSWORD = 8
# bcrypt's cost is paid on every sign-in; a wrong name costs the same as a wrong password (no name probing).
_DUMMY = bcrypt.hashpw(b"not a password", bcrypt.gensalt())


def learner_of(request, fallback: str) -> str:
    """Who is practising or asking: the signed-in name (a password account, or a learner an LTI launch signed in),
    else the browser session (Gradio's session hash), else ``fallback`` (a handler called without a request)."""
    return (getattr(request, "username", None) or signed_in_as(request, "learner")
            or getattr(request, "session_hash", None) or fallback)



class Accounts:
    def __init__(self, path: Path | str):
        self.path = Path(path) if "://" not in str(path) else None  # the SQLite file, if it is one
        self.engine = db.create(path)

    def add(self, name: str, password: str, replace: bool = False) -> None:
        if not NAME.match(name or ""):
            raise TutorError(f"A learner name is 1-64 letters, digits or . _ @ - (starting with a letter or digit); "
                             f"got {name!r}.")
        if len(password or "") < MIN_PASSWORD or len(password.encode()) > 72:
            raise TutorError(f"The password for {name} must be {MIN_PASSWORD} to 72 characters long.")
        hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()
        upsert = " ON CONFLICT (name) DO UPDATE SET hash = excluded.hash, created = excluded.created" if replace else ""
        try:
            with self.engine.begin() as conn:
                conn.execute(text("INSERT INTO learners (name, hash, created) VALUES (:name, :hash, :created)" + upsert),
                             dict(name=name, hash=hashed, created=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())))
        except IntegrityError:
            raise TutorError(f"There is already a learner called {name}. Remove them first, or pick another "
                             "name.") from None

    def import_csv(self, path: Path | str) -> int:
        """Add every ``name,password`` line of a CSV file (a header line ``name,password`` is skipped); an existing
        name gets the new password. Returns how many."""
        with open(path, newline="", encoding="utf-8") as fh:
            rows = [r for r in csv.reader(fh) if r and any(c.strip() for c in r)]
        if rows and [c.strip().lower() for c in rows[0][:2]] == ["name", "password"]:
            rows = rows[1:]
        for n, row in enumerate(rows, 1):
            if len(row) < 2:
                raise TutorError(f"{path}: line {n} should be name,password.")
        for row in rows:
            self.add(row[0].strip(), row[1], replace=True)
        return len(rows)

    def names(self) -> list[str]:
        with self.engine.connect() as conn:
            return [r[0] for r in conn.execute(text("SELECT name FROM learners ORDER BY name"))]

    def remove(self, name: str) -> dict[str, int]:
        """Remove the account and everything stored about the learner (questions, cards, card reviews)."""
        with self.engine.begin() as conn:
            gone = conn.execute(text("DELETE FROM learners WHERE name = :name"), {"name": name}).rowcount
            if not gone:
                raise TutorError(f"No learner called {name}. See: tutor learners list")
            return db.purge(conn, learner=name)

    def verify(self, name: str, password: str) -> bool:
        """Gradio's ``auth=`` callable: whether this name and password sign in."""
        with self.engine.connect() as conn:
            row = conn.execute(text("SELECT hash FROM learners WHERE name = :name"), {"name": name or ""}).first()
        hashed = row[0].encode() if row else _DUMMY
        try:
            ok = bcrypt.checkpw((password or "").encode()[:72], hashed)
        except ValueError:
            return False
        return ok and row is not None
