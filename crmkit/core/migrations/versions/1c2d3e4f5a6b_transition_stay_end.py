"""each transition keeps when its stay ended and how long it lasted

core_transition gains ``left_at`` (the ``at`` of the record's next move; None while the record is
still in that state) and ``seconds`` (the stay's length), which the next move sets in its own
transaction (crmkit.entities.transitions.close_stays). Existing rows are filled in one UPDATE from
each record's next row. The funnel's index on entries gains ``seconds``, so the time in each stage
of a period is read from the index alone instead of one seek of the record's next move per stay.

Revision ID: 1c2d3e4f5a6b
Revises: 0b1c2d3e4f5a
Create Date: 2026-12-07 11:10:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '1c2d3e4f5a6b'
down_revision: Union[str, Sequence[str], None] = '0b1c2d3e4f5a'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

ENTRIES = ['entity', 'to_state', 'at', 'record_id']


def seconds(dialect: str, start: str, end: str) -> str:
    if dialect == 'postgresql':
        return f'CAST(round(extract(epoch FROM {end} - {start})) AS INTEGER)'
    return f'CAST(round((julianday({end}) - julianday({start})) * 86400) AS INTEGER)'


def upgrade() -> None:
    op.add_column('core_transition', sa.Column('left_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.add_column('core_transition', sa.Column('seconds', sa.Integer(), nullable=True))
    dialect = op.get_bind().dialect.name
    op.execute(
        'UPDATE core_transition SET left_at = n.next_at, '
        f'seconds = {seconds(dialect, "core_transition.at", "n.next_at")} '
        'FROM (SELECT id, lead(at) OVER (PARTITION BY entity, record_id ORDER BY at, id) AS next_at '
        'FROM core_transition) n WHERE n.id = core_transition.id AND n.next_at IS NOT NULL'
    )
    op.drop_index('ix_core_transition_entries', table_name='core_transition')
    op.create_index('ix_core_transition_entries', 'core_transition', [*ENTRIES, 'seconds'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_core_transition_entries', table_name='core_transition')
    op.create_index('ix_core_transition_entries', 'core_transition', ENTRIES, unique=False)
    with op.batch_alter_table('core_transition', schema=None) as batch_op:
        batch_op.drop_column('seconds')
        batch_op.drop_column('left_at')
