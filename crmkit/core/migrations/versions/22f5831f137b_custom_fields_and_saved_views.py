"""custom fields and saved views

Revision ID: 22f5831f137b
Revises: b3c2a05bd762
Create Date: 2026-11-23 17:50:44.997200
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '22f5831f137b'
down_revision: Union[str, Sequence[str], None] = 'b3c2a05bd762'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('core_custom_field',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entity', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('type', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('choices', sa.JSON(), nullable=False),
    sa.Column('link', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name='pk_core_custom_field'),
    sa.UniqueConstraint('entity', 'name', name='uq_core_custom_field_entity_name')
    )
    op.create_index('ix_core_custom_field_entity', 'core_custom_field', ['entity'], unique=False)

    op.create_table('core_saved_view',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entity', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('shared', sa.Boolean(), nullable=False),
    sa.Column('query', sa.JSON(), nullable=False),
    sa.Column('columns', sa.JSON(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['core_user.id'], name='fk_core_saved_view_user_id_core_user'),
    sa.PrimaryKeyConstraint('id', name='pk_core_saved_view')
    )
    op.create_index('ix_core_saved_view_entity_user', 'core_saved_view', ['entity', 'user_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_core_saved_view_entity_user', table_name='core_saved_view')
    op.drop_table('core_saved_view')
    op.drop_index('ix_core_custom_field_entity', table_name='core_custom_field')
    op.drop_table('core_custom_field')
