"""telephony: the number each inbound call came in on and its lead source; the reports' index

Revision ID: a7e3c91d5f21
Revises: a7e3c91d5f20
Create Date: 2026-12-07 16:30:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = 'a7e3c91d5f21'
down_revision: Union[str, Sequence[str], None] = 'a7e3c91d5f20'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('telephony_call_source',
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('lead_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['call_id'], ['telephony_call.id'], name=op.f('fk_telephony_call_source_call_id_telephony_call')),
    sa.PrimaryKeyConstraint('call_id')
    )
    op.create_index('ix_telephony_call_source_number', 'telephony_call_source', ['number', 'call_id'], unique=False)
    op.create_index(op.f('ix_telephony_call_source_source_id'), 'telephony_call_source', ['source_id'], unique=False)
    op.create_index('ix_telephony_call_started', 'telephony_call', ['started_at', 'direction', 'outcome', 'user_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_telephony_call_started', table_name='telephony_call')
    op.drop_index(op.f('ix_telephony_call_source_source_id'), table_name='telephony_call_source')
    op.drop_index('ix_telephony_call_source_number', table_name='telephony_call_source')
    op.drop_table('telephony_call_source')
