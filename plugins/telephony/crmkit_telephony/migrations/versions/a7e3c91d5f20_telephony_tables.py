"""telephony tables: calls and extensions

Revision ID: a7e3c91d5f20
Revises:
Create Date: 2026-12-07 14:05:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = 'a7e3c91d5f20'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('telephony_call',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('call_id', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('direction', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('caller', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('called', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('their_number', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('extension', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('unknown_extension', sa.Boolean(), nullable=False),
    sa.Column('about_entity', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('about_id', sa.Integer(), nullable=True),
    sa.Column('events', sa.JSON(), nullable=False),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('answered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('ended_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('duration_seconds', sa.Integer(), nullable=True),
    sa.Column('recording_url', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('activity_id', sa.Integer(), nullable=True),
    sa.Column('queued', sa.Boolean(), nullable=False),
    sa.Column('callback_due_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('callback_task_id', sa.Integer(), nullable=True),
    sa.Column('handled_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('handled_by_id', sa.Integer(), nullable=True),
    sa.Column('called_back_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['handled_by_id'], ['core_user.id'], name=op.f('fk_telephony_call_handled_by_id_core_user')),
    sa.ForeignKeyConstraint(['user_id'], ['core_user.id'], name=op.f('fk_telephony_call_user_id_core_user')),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('provider', 'call_id', name='uq_telephony_call_provider_call_id')
    )
    op.create_index('ix_telephony_call_queue', 'telephony_call', ['queued', 'callback_due_at'], unique=False)
    op.create_index('ix_telephony_call_unknown', 'telephony_call', ['unknown_extension', 'started_at'], unique=False)
    op.create_index(op.f('ix_telephony_call_their_number'), 'telephony_call', ['their_number'], unique=False)
    op.create_index(op.f('ix_telephony_call_user_id'), 'telephony_call', ['user_id'], unique=False)
    op.create_index(op.f('ix_telephony_call_activity_id'), 'telephony_call', ['activity_id'], unique=False)
    op.create_table('telephony_extension',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('extension', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['core_user.id'], name=op.f('fk_telephony_extension_user_id_core_user')),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('provider', 'extension', name='uq_telephony_extension_provider_extension')
    )
    op.create_index(op.f('ix_telephony_extension_user_id'), 'telephony_extension', ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_telephony_extension_user_id'), table_name='telephony_extension')
    op.drop_table('telephony_extension')
    op.drop_index(op.f('ix_telephony_call_activity_id'), table_name='telephony_call')
    op.drop_index(op.f('ix_telephony_call_user_id'), table_name='telephony_call')
    op.drop_index(op.f('ix_telephony_call_their_number'), table_name='telephony_call')
    op.drop_index('ix_telephony_call_unknown', table_name='telephony_call')
    op.drop_index('ix_telephony_call_queue', table_name='telephony_call')
    op.drop_table('telephony_call')
