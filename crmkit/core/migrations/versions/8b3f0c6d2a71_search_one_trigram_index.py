"""search: one trigram index, walked newest first

Words are marked in the indexed text (a word between \\x01 and \\x02), so the trigram index finds
them and SQLite's unicode61 table and PostgreSQL's tsvector column go; phone digits get a column of
their pairs (two digits to a character). On SQLite the entry ids move into a range per entity,
counting down, so FTS5 walks an entity's matches newest first; on PostgreSQL each trigram index
leads with the entity (btree_gin) and (entity, id) gives an entity's newest entries. Existing
entries are converted here; no reindex is needed. See crmkit.search.text, .sqlite and .postgres.

Revision ID: 8b3f0c6d2a71
Revises: d5e6f7a8b9c0
Create Date: 2026-11-30 04:00:00
"""
import importlib.util
import re
import zlib
from pathlib import Path
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401 - the script template imports it for every revision

from crmkit.search.postgres import extension_schema, trgm_ops

revision: str = '8b3f0c6d2a71'
down_revision: Union[str, Sequence[str], None] = 'd5e6f7a8b9c0'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TABLE = 'core_search_document'
BATCH = 5000
# The indexed form as of this revision (crmkit.search.text, crmkit.search.sqlite.span).
WORD = re.compile(r"[^\W_]+")
PAIR_BASE = 0x4E00
SPAN_BITS, SLOT_BITS = 40, 22
UNMARKED = "replace(replace(content, {fn}(1), ''), {fn}(2), '')"  # SQL: the content without word marks

# No triggers: crmkit.search.sqlite writes the FTS table itself, a statement per batch.
SQLITE_CREATE = [
    (
        "CREATE VIRTUAL TABLE core_search_trigram USING fts5(content, digits, digit_pairs, "
        f"content='{TABLE}', content_rowid='id', tokenize='trigram', columnsize=0)"
    ),
    "INSERT INTO core_search_trigram(core_search_trigram) VALUES ('rebuild')",
]
SQLITE_DROP = ["DROP TABLE IF EXISTS core_search_trigram"]
PG_TRGM = {
    'ix_core_search_document_content_trgm': 'content',
    'ix_core_search_document_digits_trgm': 'digits',
    'ix_core_search_document_digit_pairs_trgm': 'digit_pairs',
}
PG_NEWEST = 'ix_core_search_document_entity_id'


def marked(content: str) -> str:
    return WORD.sub(lambda m: "\x01" + m.group() + "\x02", content)


def pairs(digits: str) -> str:
    def two(d):
        return "".join(chr(PAIR_BASE + int(d[i : i + 2])) for i in range(0, len(d) - 1, 2))

    return " ".join(two(number[start:]) for number in digits.split() if number.isascii() for start in (0, 1))


def last_id(entity: str) -> int:
    first = (zlib.crc32(entity.encode()) & ((1 << SLOT_BITS) - 1)) << SPAN_BITS
    return first + (1 << SPAN_BITS) - 1


def previous():
    """Revision 5e4c8a1f9d20's module, for the structures it made (the downgrade puts them back)."""
    path = Path(__file__).with_name('5e4c8a1f9d20_search_index.py')
    spec = importlib.util.spec_from_file_location('crmkit_search_index_5e4c8a1f9d20', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def entries(bind, columns: str):
    """The table's rows in id order, a batch at a time."""
    last = None
    while True:
        where = '' if last is None else f'WHERE id > {int(last)} '
        rows = bind.execute(sa.text(f'SELECT {columns} FROM {TABLE} {where}ORDER BY id LIMIT {BATCH}')).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def rebuild_sqlite_table(fill, with_pairs: bool) -> None:
    """Make a new table, ``fill(new)`` it from the old one, then put it in the old one's place."""
    columns = [
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('entity', sa.String(length=100), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column('content', sa.Text(), server_default='', nullable=False),
        sa.Column('digits', sa.Text(), server_default='', nullable=False),
    ]
    if with_pairs:
        columns.append(sa.Column('digit_pairs', sa.Text(), server_default='', nullable=False))
    new = op.create_table(
        f'{TABLE}_new', *columns,
        sa.PrimaryKeyConstraint('id', name='pk_core_search_document'),
        sa.UniqueConstraint('entity', 'record_id', name='uq_core_search_document_entity_record'),
    )
    fill(new)
    op.drop_table(TABLE)
    op.rename_table(f'{TABLE}_new', TABLE)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        for statement in previous().SQLITE_DROP:
            op.execute(statement)

        def fill(new):  # newer entries had higher ids; now they get lower ones
            for rows in entries(bind, 'id, entity, record_id, content, digits'):
                bind.execute(sa.insert(new), [
                    {'id': last_id(r.entity) - r.id, 'entity': r.entity, 'record_id': r.record_id,
                     'content': marked(r.content), 'digits': r.digits, 'digit_pairs': pairs(r.digits)}
                    for r in rows
                ])

        rebuild_sqlite_table(fill, with_pairs=True)
        for statement in SQLITE_CREATE:
            op.execute(statement)
        return
    op.execute(f'ALTER TABLE {TABLE} DROP COLUMN tsv')  # and its index
    for name in ('ix_core_search_document_content_trgm', 'ix_core_search_document_digits_trgm'):
        op.execute(f'DROP INDEX IF EXISTS {name}')  # made again below, with the entity, after the rewrite
    op.add_column(TABLE, sa.Column('digit_pairs', sa.Text(), server_default='', nullable=False))
    update = sa.text(f'UPDATE {TABLE} SET content = :content, digit_pairs = :digit_pairs WHERE id = :id')
    for rows in entries(bind, 'id, content, digits'):
        bind.execute(update, [{'id': r.id, 'content': marked(r.content), 'digit_pairs': pairs(r.digits)} for r in rows])
    ops = trgm_ops(bind)
    extension_schema(bind, 'btree_gin')  # GIN over the entity column
    # A GIN index keeps new entries in a pending list that every search reads through until it is
    # merged, at 4 MB by default (10 ms a scan, and big tables are seldom vacuumed): 256 kB keeps
    # that under a millisecond, for a slower bulk index. The digit indexes leave out entries
    # without phones (most activities).
    for name, column in PG_TRGM.items():
        only = '' if column == 'content' else f" WHERE {column} <> ''"
        op.execute(
            f'CREATE INDEX {name} ON {TABLE} USING gin (entity, {column} {ops}) WITH (gin_pending_list_limit = 256){only}'
        )
    op.execute(f'CREATE INDEX {PG_NEWEST} ON {TABLE} (entity, id)')
    op.execute(f'ANALYZE {TABLE}')  # every row was rewritten


def downgrade() -> None:
    bind = op.get_bind()
    before = previous()
    if bind.dialect.name == 'sqlite':
        for statement in SQLITE_DROP:
            op.execute(statement)

        def fill(new):  # ids from 1 again, oldest first
            op.execute(
                f"INSERT INTO {new.name} (id, entity, record_id, content, digits) "
                f"SELECT row_number() OVER (ORDER BY entity, id DESC), entity, record_id, {UNMARKED.format(fn='char')}, digits FROM {TABLE}"
            )

        rebuild_sqlite_table(fill, with_pairs=False)
        for statement in before.SQLITE_CREATE:
            op.execute(statement)
        op.execute("INSERT INTO core_search_fts(core_search_fts) VALUES ('rebuild')")
        op.execute("INSERT INTO core_search_trigram(core_search_trigram) VALUES ('rebuild')")
        return
    for name in (*PG_TRGM, PG_NEWEST):
        op.execute(f'DROP INDEX IF EXISTS {name}')
    op.execute(f"UPDATE {TABLE} SET content = {UNMARKED.format(fn='chr')}")
    op.drop_column(TABLE, 'digit_pairs')
    for statement in before.postgres_create(bind):
        op.execute(statement)
