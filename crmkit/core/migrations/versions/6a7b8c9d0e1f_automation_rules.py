"""automation rules and their run log

Revision ID: 6a7b8c9d0e1f
Revises: 1c2d3e4f5a6b
Create Date: 2026-12-07 12:40:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '6a7b8c9d0e1f'
down_revision: Union[str, Sequence[str], None] = '1c2d3e4f5a6b'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'automation_rule',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('entity', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('trigger', sa.JSON(), nullable=False),
        sa.Column('conditions', sa.JSON(), nullable=False),
        sa.Column('actions', sa.JSON(), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('checked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('memo', sa.JSON(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['core_user.id'], name=op.f('fk_automation_rule_created_by_id_core_user')),
        sa.ForeignKeyConstraint(['updated_by_id'], ['core_user.id'], name=op.f('fk_automation_rule_updated_by_id_core_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_automation_rule')),
        sa.UniqueConstraint('name', name=op.f('uq_automation_rule_name')),
    )
    op.create_index('ix_automation_rule_entity', 'automation_rule', ['entity', 'enabled'], unique=False)
    op.create_table(
        'automation_run',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('rule_id', sa.Integer(), nullable=True),
        sa.Column('rule_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('entity', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=True),
        sa.Column('trigger', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column('result', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column('message', sa.Text(), nullable=True),
        sa.Column('duration_ms', sa.Float(), nullable=False),
        sa.Column('depth', sa.Integer(), nullable=False),
        sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['rule_id'], ['automation_rule.id'], name=op.f('fk_automation_run_rule_id_automation_rule')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_automation_run')),
    )
    op.create_index('ix_automation_run_record', 'automation_run', ['entity', 'record_id', 'at'], unique=False)
    op.create_index('ix_automation_run_rule', 'automation_run', ['rule_id', 'id'], unique=False)
    op.create_index('ix_automation_run_result', 'automation_run', ['result', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_automation_run_result', table_name='automation_run')
    op.drop_index('ix_automation_run_rule', table_name='automation_run')
    op.drop_index('ix_automation_run_record', table_name='automation_run')
    op.drop_table('automation_run')
    op.drop_index('ix_automation_rule_entity', table_name='automation_rule')
    op.drop_table('automation_rule')
