"""api tokens

The core_api_token table: each user's bearer tokens for the REST API, stored as SHA-256 hashes
with a short prefix for display, and when they were made, last used and revoked.

Revision ID: 9a7d3e5f1c28
Revises: b3c2a05bd762
Create Date: 2026-11-23 17:55:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '9a7d3e5f1c28'
down_revision: Union[str, Sequence[str], None] = 'b3c2a05bd762'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('core_api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('prefix', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('last_used_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('revoked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['core_user.id'], name='fk_core_api_token_user_id_core_user'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash', name='uq_core_api_token_token_hash')
    )
    op.create_index('ix_core_api_token_user_id', 'core_api_token', ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_core_api_token_user_id', table_name='core_api_token')
    op.drop_table('core_api_token')
