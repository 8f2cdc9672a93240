"""telephony push: news of ringing calls for the agents' open pages

Revision ID: a7e3c91d5f22
Revises: a7e3c91d5f20
Create Date: 2026-12-07 16:30:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = 'a7e3c91d5f22'
down_revision: Union[str, Sequence[str], None] = 'a7e3c91d5f20'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('telephony_push',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('elsewhere', sa.Boolean(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['telephony_call.id'], name=op.f('fk_telephony_push_call_id_telephony_call')),
    sa.ForeignKeyConstraint(['user_id'], ['core_user.id'], name=op.f('fk_telephony_push_user_id_core_user')),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'call_id', 'kind', name='uq_telephony_push_user_call_kind')
    )
    op.create_index('ix_telephony_push_user', 'telephony_push', ['user_id', 'id'], unique=False)  # a page's news
    op.create_index(op.f('ix_telephony_push_call_id'), 'telephony_push', ['call_id'], unique=False)
    op.create_index(op.f('ix_telephony_push_at'), 'telephony_push', ['at'], unique=False)  # the daily sweep


def downgrade() -> None:
    op.drop_index(op.f('ix_telephony_push_at'), table_name='telephony_push')
    op.drop_index(op.f('ix_telephony_push_call_id'), table_name='telephony_push')
    op.drop_index('ix_telephony_push_user', table_name='telephony_push')
    op.drop_table('telephony_push')
