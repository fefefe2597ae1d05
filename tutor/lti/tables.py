"""Everything LTI stores, as SQLAlchemy 2.x Core tables on their own ``MetaData``: registered platforms and their
deployments, the tool's key pairs, OIDC login nonces, launches (a browser's signed-in session), line items and
grade sends with their retries. They live in the app's database (``TUTOR_DATABASE_URL``, else ``TUTOR_DB``) and are
made and changed by the shared Alembic migrations (``tutor/storage``).

>>> engine = connect("sqlite://")        # an in-memory database: what a test or a one-off check uses
>>> sorted(t for t in metadata.tables if t.startswith("lti_"))[:3]
['lti_deployments', 'lti_grade_sends', 'lti_keys']
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import (Boolean, Column, Engine, Float, ForeignKey, Index, Integer, MetaData, String, Table, Text,
                        UniqueConstraint)

metadata = MetaData()

platforms = Table(
    "lti_platforms", metadata,
    Column("id", Integer, primary_key=True),
    Column("issuer", String(255), nullable=False),  # the platform's iss, exactly as its tokens carry it
    Column("client_id", String(255), nullable=False),  # what the platform calls this tool (the aud of its tokens)
    Column("auth_url", Text, nullable=False),  # OIDC authorisation endpoint (the launch's second step)
    Column("token_url", Text, nullable=False),  # OAuth2 token endpoint (grades)
    Column("jwks_url", Text, nullable=False),  # the platform's public keys
    Column("audience", Text, nullable=False, default=""),  # aud of our token requests; "" means token_url
    Column("name", String(255), nullable=False, default=""),  # for people: "College Moodle"
    Column("created", String(32), nullable=False),
    UniqueConstraint("issuer", "client_id", name="lti_platforms_issuer_client"),
    sqlite_autoincrement=True,  # a removed platform's id is never handed to another
)

deployments = Table(
    "lti_deployments", metadata,
    Column("platform_id", Integer, ForeignKey("lti_platforms.id", ondelete="CASCADE"), primary_key=True),
    Column("deployment_id", String(255), primary_key=True),
)

keys = Table(
    "lti_keys", metadata,
    Column("kid", String(64), primary_key=True),
    Column("private_jwk", Text, nullable=False),  # JSON; the database file is owner-only (0600)
    Column("public_jwk", Text, nullable=False),  # JSON, what /lti/jwks publishes
    Column("created", String(32), nullable=False),
    Column("signing", Boolean, nullable=False, default=False),  # exactly one key signs at a time
    Column("retired", String(32)),  # when it stopped being published; NULL while published
)

nonces = Table(  # one row per OIDC login: the state that comes back with the id_token, and its nonce, used once
    "lti_nonces", metadata,
    Column("state", String(64), primary_key=True),
    Column("nonce", String(64), nullable=False, unique=True),
    Column("platform_id", Integer, ForeignKey("lti_platforms.id", ondelete="CASCADE"), nullable=False),
    Column("target_link_uri", Text, nullable=False, default=""),
    Column("created", Float, nullable=False),  # unix seconds
    Column("used", Float),  # when a launch spent it; NULL until then
)

launches = Table(  # a validated launch, and the browser session it signed in (the cookie holds ``id``)
    "lti_launches", metadata,
    Column("id", String(64), primary_key=True),
    Column("platform_id", Integer, ForeignKey("lti_platforms.id", ondelete="CASCADE"), nullable=False),
    Column("deployment_id", String(255), nullable=False),
    Column("sub", String(255), nullable=False),  # the platform's user id (what scores are sent for)
    Column("learner", String(400), nullable=False),  # the tutor's key for the person: lti:<issuer hash>:<sub>
    Column("name", String(255), nullable=False, default=""),
    Column("roles", Text, nullable=False, default="[]"),  # JSON list of role URIs, as the token gave them
    Column("instructor", Boolean, nullable=False, default=False),
    Column("kind", String(40), nullable=False),  # LtiResourceLinkRequest | LtiDeepLinkingRequest
    Column("context_id", String(255), nullable=False, default=""),
    Column("resource_link_id", String(255), nullable=False, default=""),
    Column("unit", String(255), nullable=False, default=""),  # "" means the whole course
    Column("ags", Text, nullable=False, default=""),  # JSON of the AGS endpoint claim ("" when none)
    Column("deep_link", Text, nullable=False, default=""),  # JSON of the deep linking settings ("" when none)
    Column("created", Float, nullable=False),
    Column("expires", Float, nullable=False),
)
Index("lti_launches_learner", launches.c.learner, launches.c.unit)

line_items = Table(  # the gradebook column each activity's practice score goes to, once found or created
    "lti_line_items", metadata,
    Column("id", Integer, primary_key=True),
    Column("platform_id", Integer, ForeignKey("lti_platforms.id", ondelete="CASCADE"), nullable=False),
    Column("lineitems_url", Text, nullable=False),  # the context's container
    Column("resource_link_id", String(255), nullable=False),
    Column("unit", String(255), nullable=False),
    Column("url", Text, nullable=False),  # the line item itself
    Column("created", String(32), nullable=False),
    UniqueConstraint("platform_id", "lineitems_url", "resource_link_id", "unit", name="lti_line_items_link"),
)

grade_sends = Table(  # every score sent (or to be sent) to a gradebook, with its tries
    "lti_grade_sends", metadata,
    Column("id", Integer, primary_key=True),
    Column("launch_id", String(64), nullable=False),
    Column("learner", String(400), nullable=False),
    Column("unit", String(255), nullable=False),
    Column("payload", Text, nullable=False),  # the score JSON exactly as sent
    Column("status", String(16), nullable=False),  # pending | sent | failed | superseded
    Column("tries", Integer, nullable=False, default=0),
    Column("next_try", Float, nullable=False),
    Column("last_error", Text, nullable=False, default=""),
    Column("response", Integer),  # the HTTP status of the last try
    Column("line_item", Text, nullable=False, default=""),
    Column("created", String(32), nullable=False),
    Column("sent", String(32)),
)
Index("lti_grade_sends_due", grade_sends.c.status, grade_sends.c.next_try)


def url_of(target: str | Path) -> str:
    """A SQLAlchemy URL as given, or a SQLite file path made into one."""
    from ..storage import url_of as storage_url

    return storage_url(target)


def connect(target: str | Path) -> Engine:
    """The engine on ``target`` (a SQLAlchemy URL, or the path of the SQLite file the app uses) with every table,
    LTI's among them, migrated to this version (``tutor.storage.open_database``)."""
    from ..storage import open_database

    return open_database(target)
