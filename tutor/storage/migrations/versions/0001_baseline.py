"""Every table as of the first migration; it also takes over a SQLite file from before migrations existed
(its tables are kept with their rows, missing tables, columns and indexes are added).

Revision ID: 0001
Revises: 
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None

# Columns a chats table from before some columns existed lacks (the raw-sqlite3 code added them the same way).
_ADDED_TO_CHATS = {"reason": "TEXT NOT NULL DEFAULT ''", "learner": "TEXT NOT NULL DEFAULT ''",
                   "unit": "TEXT NOT NULL DEFAULT ''", "on_question": "INTEGER NOT NULL DEFAULT 1"}
_existing: dict[str, set[str]] = {}  # table -> its index names, in the database before this migration


def _take_over() -> None:
    inspector = sa.inspect(op.get_bind())
    _existing.clear()
    _existing.update({t: {i["name"] for i in inspector.get_indexes(t)} for t in inspector.get_table_names()})
    if "chats" in _existing:
        columns = {c["name"] for c in inspector.get_columns("chats")}
        for name, kind in _ADDED_TO_CHATS.items():
            if name not in columns:
                op.execute(f"ALTER TABLE chats ADD COLUMN {name} {kind}")


def _create_table(name, *columns, **options) -> None:
    if name not in _existing:
        op.create_table(name, *columns, **options)


def _create_index(name, table, columns) -> None:
    if name not in _existing.get(table, ()):
        op.create_index(name, table, columns)


def upgrade() -> None:
    _take_over()
    _tables_1()
    _tables_2()
    _tables_3()
    _tables_4()
    _tables_5()


def _tables_1() -> None:
    _create_table('alerts',
    sa.Column('id', sa.Text(), nullable=False),
    sa.Column('created', sa.Text(), nullable=False),
    sa.Column('unit', sa.Text(), nullable=False),
    sa.Column('session', sa.Text(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('level', sa.Text(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('part', sa.Text(), server_default='', nullable=False),
    sa.Column('seen', sa.Integer(), server_default='0', nullable=False),
    sa.Column('seen_at', sa.Text(), server_default='', nullable=False),
    sa.Column('email', sa.Text(), server_default='off', nullable=False),
    sa.Column('webhook', sa.Text(), server_default='off', nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    _create_index('alerts_created', 'alerts', ['created'])
    _create_table('card_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('learner', sa.Text(), nullable=False),
    sa.Column('card', sa.Text(), nullable=False),
    sa.Column('unit', sa.Text(), nullable=False),
    sa.Column('section', sa.Text(), nullable=False),
    sa.Column('correct', sa.Integer(), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('reviewed', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sqlite_autoincrement=True
    )
    _create_index('card_reviews_learner', 'card_reviews', ['learner', 'unit'])
    _create_table('cards',
    sa.Column('learner', sa.Text(), nullable=False),
    sa.Column('card', sa.Text(), nullable=False),
    sa.Column('unit', sa.Text(), nullable=False),
    sa.Column('section', sa.Text(), nullable=False),
    sa.Column('state', sa.Text(), nullable=False),
    sa.Column('due', sa.Text(), nullable=False),
    sa.Column('stability', sa.Float(), nullable=True),
    sa.Column('last_review', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('learner', 'card')
    )
    _create_index('cards_due', 'cards', ['learner', 'unit', 'due'])


def _tables_2() -> None:
    _create_table('chats',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session', sa.Text(), nullable=False),
    sa.Column('created', sa.Text(), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('history', sa.Text(), nullable=False),
    sa.Column('status', sa.Text(), nullable=False),
    sa.Column('backend', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), server_default='', nullable=False),
    sa.Column('verified', sa.Integer(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('learner', sa.Text(), server_default='', nullable=False),
    sa.Column('unit', sa.Text(), server_default='', nullable=False),
    sa.Column('on_question', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sqlite_autoincrement=True
    )
    _create_index('chats_learner', 'chats', ['learner', 'unit'])
    _create_table('learners',
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('hash', sa.Text(), nullable=False),
    sa.Column('created', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    _create_table('lti_grade_sends',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('launch_id', sa.String(length=64), nullable=False),
    sa.Column('learner', sa.String(length=400), nullable=False),
    sa.Column('unit', sa.String(length=255), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('tries', sa.Integer(), nullable=False),
    sa.Column('next_try', sa.Float(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('response', sa.Integer(), nullable=True),
    sa.Column('line_item', sa.Text(), nullable=False),
    sa.Column('created', sa.String(length=32), nullable=False),
    sa.Column('sent', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    _create_index('lti_grade_sends_due', 'lti_grade_sends', ['status', 'next_try'])


def _tables_3() -> None:
    _create_table('lti_keys',
    sa.Column('kid', sa.String(length=64), nullable=False),
    sa.Column('private_jwk', sa.Text(), nullable=False),
    sa.Column('public_jwk', sa.Text(), nullable=False),
    sa.Column('created', sa.String(length=32), nullable=False),
    sa.Column('signing', sa.Boolean(), nullable=False),
    sa.Column('retired', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('kid')
    )
    _create_table('lti_platforms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=255), nullable=False),
    sa.Column('client_id', sa.String(length=255), nullable=False),
    sa.Column('auth_url', sa.Text(), nullable=False),
    sa.Column('token_url', sa.Text(), nullable=False),
    sa.Column('jwks_url', sa.Text(), nullable=False),
    sa.Column('audience', sa.Text(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('created', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('issuer', 'client_id', name='lti_platforms_issuer_client'),
    sqlite_autoincrement=True
    )
    _create_table('question_vectors',
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('vector', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('question')
    )
    _create_table('lti_deployments',
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('deployment_id', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['platform_id'], ['lti_platforms.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('platform_id', 'deployment_id')
    )


def _tables_4() -> None:
    _create_table('lti_launches',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('deployment_id', sa.String(length=255), nullable=False),
    sa.Column('sub', sa.String(length=255), nullable=False),
    sa.Column('learner', sa.String(length=400), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('roles', sa.Text(), nullable=False),
    sa.Column('instructor', sa.Boolean(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('context_id', sa.String(length=255), nullable=False),
    sa.Column('resource_link_id', sa.String(length=255), nullable=False),
    sa.Column('unit', sa.String(length=255), nullable=False),
    sa.Column('ags', sa.Text(), nullable=False),
    sa.Column('deep_link', sa.Text(), nullable=False),
    sa.Column('created', sa.Float(), nullable=False),
    sa.Column('expires', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['platform_id'], ['lti_platforms.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    _create_index('lti_launches_learner', 'lti_launches', ['learner', 'unit'])
    _create_table('lti_line_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('lineitems_url', sa.Text(), nullable=False),
    sa.Column('resource_link_id', sa.String(length=255), nullable=False),
    sa.Column('unit', sa.String(length=255), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('created', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['platform_id'], ['lti_platforms.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('platform_id', 'lineitems_url', 'resource_link_id', 'unit', name='lti_line_items_link')
    )
    _create_table('lti_nonces',
    sa.Column('state', sa.String(length=64), nullable=False),
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('target_link_uri', sa.Text(), nullable=False),
    sa.Column('created', sa.Float(), nullable=False),
    sa.Column('used', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['platform_id'], ['lti_platforms.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('state'),
    sa.UniqueConstraint('nonce')
    )


def _tables_5() -> None:
    _create_table('reviews',
    sa.Column('chat_id', sa.Integer(), nullable=False),
    sa.Column('sentence', sa.Integer(), nullable=False),
    sa.Column('citation', sa.Integer(), nullable=False),
    sa.Column('verdict', sa.Text(), nullable=False),
    sa.Column('comment', sa.Text(), server_default='', nullable=False),
    sa.Column('updated', sa.Text(), nullable=False),
    sa.CheckConstraint("verdict IN ('correct', 'wrong', 'missing-better-passage')", name='reviews_verdict'),
    sa.ForeignKeyConstraint(['chat_id'], ['chats.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('chat_id', 'sentence', 'citation')
    )


def downgrade() -> None:
    raise NotImplementedError("The first migration is not undone: that would delete every table and its rows.")
