"""search index

The modelled table core_search_document, then each engine's own search structures beside it
(FTS5 tables and triggers on SQLite; a tsvector column, GIN and pg_trgm indexes on PostgreSQL),
listed in crmkit.search.models.ENGINE_MANAGED. Run `crmkit search reindex` after upgrading a
database that already holds records.

Revision ID: 5e4c8a1f9d20
Revises: b3c2a05bd762
Create Date: 2026-11-23 18:00:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401 - the script template imports it for every revision

from crmkit.search import postgres, sqlite

revision: str = '5e4c8a1f9d20'
down_revision: Union[str, Sequence[str], None] = 'b3c2a05bd762'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('core_search_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entity', sa.String(length=100), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('content', sa.Text(), server_default='', nullable=False),
    sa.Column('digits', sa.Text(), server_default='', nullable=False),
    sa.PrimaryKeyConstraint('id', name='pk_core_search_document'),
    sa.UniqueConstraint('entity', 'record_id', name='uq_core_search_document_entity_record')
    )
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        statements = postgres.create(bind)
    else:
        statements = sqlite.CREATE
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for statement in sqlite.DROP:
            op.execute(statement)
    op.drop_table('core_search_document')
