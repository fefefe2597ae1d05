"""The database setting's check, called by ``Settings.validate`` (one line saying what to set).

>>> check_database_url(type("S", (), {"database_url": "mysql://x@h/db"}))
Traceback (most recent call last):
...
tutor.errors.ConfigError: TUTOR_DATABASE_URL must be a Postgres URL such as postgresql://tutor:secret@db.college.example:5432/tutor (or empty, for the SQLite file TUTOR_DB); it starts 'mysql://'.
"""

from __future__ import annotations

from ..errors import ConfigError

SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://", "sqlite:///")


def check_database_url(s) -> None:
    url = s.database_url
    if url and not url.startswith(SCHEMES):
        raise ConfigError("TUTOR_DATABASE_URL must be a Postgres URL such as "
                          "postgresql://tutor:secret@db.college.example:5432/tutor (or empty, for the SQLite file "
                          f"TUTOR_DB); it starts {url.split('://')[0][:20] + '://'!r}.")  # no password shown
