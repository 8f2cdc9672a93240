"""the funnel's covering index on core_transition

Deals entering a stage in a period are one range of (entity, to_state, at) per stage; with
record_id in the index too, the funnel reads them without touching the table
(crmkit/core/pipelines/reports/indexes.py).

Revision ID: f5a6b7c8d9e0
Revises: a7b8c9d0e1f2
Create Date: 2026-12-07 09:50:00
"""
from typing import Sequence, Union

from alembic import op


revision: str = 'f5a6b7c8d9e0'
down_revision: Union[str, Sequence[str], None] = 'a7b8c9d0e1f2'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index('ix_core_transition_entries', 'core_transition', ['entity', 'to_state', 'at', 'record_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_core_transition_entries', table_name='core_transition')
