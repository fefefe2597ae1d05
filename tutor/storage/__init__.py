"""One storage layer, two engines: everything the app keeps (chat logs and reviews, accounts, practice cards, the
DSL's alert queue, LTI's tables) goes through SQLAlchemy 2.x Core with Alembic migrations. SQLite is the embedded
default (``TUTOR_DB``, nothing to set up); Postgres when ``TUTOR_DATABASE_URL`` names one, so several ``tutor serve``
processes share one database.

>>> engine = open_database("sqlite://")            # in memory; a path or a URL works the same way
>>> from sqlalchemy import inspect
>>> "chats" in inspect(engine).get_table_names() and "lti_platforms" in inspect(engine).get_table_names()
True
"""

from .engine import database_of, open_database, url_of

__all__ = ["database_of", "open_database", "url_of"]
