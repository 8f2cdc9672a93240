"""user sessions and two-factor login

core_user_session holds one row per signed-in browser (the SHA-256 of the token its cookie
carries, when it signed in and was last seen, from where, when it ended), so logout and "end this
session" end a session for good and a user can list theirs. core_user gets the TOTP secret, when
two-factor login was switched on and the last time step a code was accepted for; its old
session_token column goes (every session now has its own row), which logs everyone out once.
core_recovery_code holds the hashed one-time recovery codes.

Revision ID: a7b8c9d0e1f2
Revises: f1a2b3c4d5e6
Create Date: 2026-12-07 06:40:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = 'a7b8c9d0e1f2'
down_revision: Union[str, Sequence[str], None] = 'f1a2b3c4d5e6'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('core_user_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('last_seen_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('ip', sqlmodel.sql.sqltypes.AutoString(length=45), nullable=False),
    sa.Column('user_agent', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('ended_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['core_user.id'], name='fk_core_user_session_user_id_core_user'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash', name='uq_core_user_session_token_hash')
    )
    op.create_index('ix_core_user_session_user_id', 'core_user_session', ['user_id'], unique=False)
    op.create_table('core_recovery_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('used_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['core_user.id'], name='fk_core_recovery_code_user_id_core_user'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_core_recovery_code_user_id', 'core_recovery_code', ['user_id'], unique=False)
    # Plain ALTER TABLE, not batch mode: SQLite (3.35+) adds and drops these columns in place, where
    # batch mode would copy core_user and drop the original, which every table pointing at a user
    # refuses once the database has data (foreign keys are on).
    op.add_column('core_user', sa.Column('totp_secret', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    op.add_column('core_user', sa.Column('totp_enabled_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.add_column('core_user', sa.Column('totp_last_step', sa.Integer(), nullable=True))
    op.drop_column('core_user', 'session_token')


def downgrade() -> None:
    op.add_column('core_user', sa.Column('session_token', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default=''))
    op.drop_column('core_user', 'totp_last_step')
    op.drop_column('core_user', 'totp_enabled_at')
    op.drop_column('core_user', 'totp_secret')
    op.drop_index('ix_core_recovery_code_user_id', table_name='core_recovery_code')
    op.drop_table('core_recovery_code')
    op.drop_index('ix_core_user_session_user_id', table_name='core_user_session')
    op.drop_table('core_user_session')
