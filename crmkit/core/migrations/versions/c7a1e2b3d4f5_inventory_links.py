"""inventory links: which calls, leads and deals are about which items

Revision ID: c7a1e2b3d4f5
Revises: a0b1c2d3e4f5
Create Date: 2026-12-07 16:40:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = 'c7a1e2b3d4f5'
down_revision: Union[str, Sequence[str], None] = 'a0b1c2d3e4f5'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('inventory_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_entity', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('item_entity', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['core_user.id'], name=op.f('fk_inventory_link_created_by_id_core_user')),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('subject_entity', 'subject_id', 'item_entity', 'item_id', name='uq_inventory_link')
    )
    op.create_index('ix_inventory_link_item', 'inventory_link', ['item_entity', 'item_id', 'subject_entity', 'created_at'], unique=False)
    op.create_index('ix_inventory_link_subject', 'inventory_link', ['subject_entity', 'subject_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_inventory_link_subject', table_name='inventory_link')
    op.drop_index('ix_inventory_link_item', table_name='inventory_link')
    op.drop_table('inventory_link')
