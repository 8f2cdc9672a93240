"""in-app notifications, their per-user settings and digests; mail templates

core_notification holds each user's notifications, already rendered in their language; the bell
counts unread ones through (user_id, read_at) and the page lists through (user_id, id).
core_notification_preference keeps which kinds a user also wants by email and the daily digest;
core_notification_digest's unique (user_id, day) makes each day's digest go once.
core_mail_template keeps admin-edited Jinja templates per entity with a subject and body per language.

Revision ID: 7a8b9c0d1e2f
Revises: 1c2d3e4f5a6b
Create Date: 2026-12-07 12:30:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '7a8b9c0d1e2f'
down_revision: Union[str, Sequence[str], None] = '1c2d3e4f5a6b'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('core_notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('record_entity', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('read_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['core_user.id'], name='fk_core_notification_user_id_core_user'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_core_notification_unread', 'core_notification', ['user_id', 'read_at'], unique=False)
    op.create_index('ix_core_notification_user_list', 'core_notification', ['user_id', 'id'], unique=False)
    op.create_table('core_notification_preference',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('email_kinds', sa.JSON(), nullable=False),
    sa.Column('digest', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['core_user.id'], name='fk_core_notification_preference_user_id_core_user'),
    sa.PrimaryKeyConstraint('user_id')
    )
    op.create_index('ix_core_notification_preference_digest', 'core_notification_preference', ['digest'], unique=False)
    op.create_table('core_notification_digest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['core_user.id'], name='fk_core_notification_digest_user_id_core_user'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'day', name='uq_core_notification_digest_user_day')
    )
    op.create_table('core_mail_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('entity', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('texts', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_core_mail_template_entity', 'core_mail_template', ['entity'], unique=False)
    op.create_index('ix_core_mail_template_key', 'core_mail_template', ['key'], unique=True)


def downgrade() -> None:
    op.drop_index('ix_core_mail_template_key', table_name='core_mail_template')
    op.drop_index('ix_core_mail_template_entity', table_name='core_mail_template')
    op.drop_table('core_mail_template')
    op.drop_table('core_notification_digest')
    op.drop_index('ix_core_notification_preference_digest', table_name='core_notification_preference')
    op.drop_table('core_notification_preference')
    op.drop_index('ix_core_notification_user_list', table_name='core_notification')
    op.drop_index('ix_core_notification_unread', table_name='core_notification')
    op.drop_table('core_notification')
