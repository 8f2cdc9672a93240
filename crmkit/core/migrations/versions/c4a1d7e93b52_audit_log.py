"""audit log

The core_audit table: logins, user, role and plugin changes, exports and imports, with who,
when, from which IP and the details as JSON.

Revision ID: c4a1d7e93b52
Revises: b3c2a05bd762
Create Date: 2026-11-23 18:20:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = 'c4a1d7e93b52'
down_revision: Union[str, Sequence[str], None] = 'b3c2a05bd762'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('core_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('ip', sqlmodel.sql.sqltypes.AutoString(length=45), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['core_user.id'], name='fk_core_audit_user_id_core_user'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_core_audit_action', 'core_audit', ['action'], unique=False)
    op.create_index('ix_core_audit_at', 'core_audit', ['at'], unique=False)
    op.create_index('ix_core_audit_user_id', 'core_audit', ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_core_audit_user_id', table_name='core_audit')
    op.drop_index('ix_core_audit_at', table_name='core_audit')
    op.drop_index('ix_core_audit_action', table_name='core_audit')
    op.drop_table('core_audit')
