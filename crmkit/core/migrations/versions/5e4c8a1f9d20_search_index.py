"""search index

The modelled table core_search_document, then each engine's own search structures beside it
(FTS5 tables and triggers on SQLite; a tsvector column, GIN and pg_trgm indexes on PostgreSQL),
listed in crmkit.search.models.ENGINE_MANAGED. Run `crmkit search reindex` after upgrading a
database that already holds records. The structures are written out here as they were made at
this revision; revision 8b3f0c6d2a71 replaces them.

Revision ID: 5e4c8a1f9d20
Revises: b3c2a05bd762
Create Date: 2026-11-23 18:00:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401 - the script template imports it for every revision

from crmkit.search.postgres import trgm_ops

revision: str = '5e4c8a1f9d20'
down_revision: Union[str, Sequence[str], None] = 'b3c2a05bd762'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


TABLE = 'core_search_document'
SQLITE_CREATE = [
    (
        f"CREATE VIRTUAL TABLE core_search_fts USING fts5(content, content='{TABLE}', content_rowid='id', "
        "tokenize='unicode61 remove_diacritics 2', prefix='2 3')"
    ),
    (
        f"CREATE VIRTUAL TABLE core_search_trigram USING fts5(content, digits, content='{TABLE}', content_rowid='id', "
        "tokenize='trigram')"
    ),
    f"""CREATE TRIGGER core_search_document_ai AFTER INSERT ON {TABLE} BEGIN
        INSERT INTO core_search_fts(rowid, content) VALUES (new.id, new.content);
        INSERT INTO core_search_trigram(rowid, content, digits) VALUES (new.id, new.content, new.digits);
    END""",
    f"""CREATE TRIGGER core_search_document_ad AFTER DELETE ON {TABLE} BEGIN
        INSERT INTO core_search_fts(core_search_fts, rowid, content) VALUES ('delete', old.id, old.content);
        INSERT INTO core_search_trigram(core_search_trigram, rowid, content, digits)
            VALUES ('delete', old.id, old.content, old.digits);
    END""",
    f"""CREATE TRIGGER core_search_document_au AFTER UPDATE ON {TABLE} BEGIN
        INSERT INTO core_search_fts(core_search_fts, rowid, content) VALUES ('delete', old.id, old.content);
        INSERT INTO core_search_trigram(core_search_trigram, rowid, content, digits)
            VALUES ('delete', old.id, old.content, old.digits);
        INSERT INTO core_search_fts(rowid, content) VALUES (new.id, new.content);
        INSERT INTO core_search_trigram(rowid, content, digits) VALUES (new.id, new.content, new.digits);
    END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS core_search_document_au",
    "DROP TRIGGER IF EXISTS core_search_document_ad",
    "DROP TRIGGER IF EXISTS core_search_document_ai",
    "DROP TABLE IF EXISTS core_search_trigram",
    "DROP TABLE IF EXISTS core_search_fts",
]


def postgres_create(bind) -> list[str]:
    ops = trgm_ops(bind)
    return [
        f"ALTER TABLE {TABLE} ADD COLUMN tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', content)) STORED",
        f"CREATE INDEX ix_core_search_document_tsv ON {TABLE} USING gin (tsv)",
        f"CREATE INDEX ix_core_search_document_content_trgm ON {TABLE} USING gin (content {ops})",
        f"CREATE INDEX ix_core_search_document_digits_trgm ON {TABLE} USING gin (digits {ops})",
    ]


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
        statements = postgres_create(bind)
    else:
        statements = SQLITE_CREATE
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for statement in SQLITE_DROP:
            op.execute(statement)
    op.drop_table('core_search_document')
