"""complaints

Revision ID: d7e1c0a9b3f2
Revises:
Create Date: 2026-12-07 09:30:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = 'd7e1c0a9b3f2'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('casework_complaint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('archived_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('responsible_id', sa.Integer(), nullable=True),
    sa.Column('edits', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['core_user.id'], name=op.f('fk_casework_complaint_created_by_id_core_user')),
    sa.ForeignKeyConstraint(['owner_id'], ['core_user.id'], name=op.f('fk_casework_complaint_owner_id_core_user')),
    sa.ForeignKeyConstraint(['responsible_id'], ['core_user.id'], name=op.f('fk_casework_complaint_responsible_id_core_user')),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('casework_complaint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_casework_complaint_archived_at'), ['archived_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_casework_complaint_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_casework_complaint_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_casework_complaint_responsible_id'), ['responsible_id'], unique=False)


def downgrade() -> None:
    op.drop_table('casework_complaint')
