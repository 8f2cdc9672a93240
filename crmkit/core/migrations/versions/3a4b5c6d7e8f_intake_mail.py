"""lead mailboxes and the messages taken from them

intake_mail_mailbox holds the IMAP mailboxes polled for leads (the password encrypted, the
UIDVALIDITY and last UID seen); intake_mail_message a row per message taken, written with the lead
or timeline entry it made (unique on mailbox, UIDVALIDITY and UID, so a poll killed before marking
a message only marks it next time), and the Message-IDs answers are matched against.

Revision ID: 3a4b5c6d7e8f
Revises: 2a3b4c5d6e7f
Create Date: 2026-12-07 12:40:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '3a4b5c6d7e8f'
down_revision: Union[str, Sequence[str], None] = '2a3b4c5d6e7f'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('intake_mail_mailbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('host', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('port', sa.Integer(), nullable=False),
    sa.Column('security', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('username', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.Column('password_sealed', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('folder', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('alias', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True),
    sa.Column('done_action', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('done_keyword', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('done_folder', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('poll_minutes', sa.Integer(), nullable=False),
    sa.Column('max_message_kb', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('take_existing', sa.Boolean(), nullable=False),
    sa.Column('first_uid', sa.BigInteger(), nullable=True),
    sa.Column('uidvalidity', sa.BigInteger(), nullable=True),
    sa.Column('last_uid', sa.BigInteger(), nullable=True),
    sa.Column('last_polled_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('last_success_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('taken_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('intake_mail_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mailbox_id', sa.Integer(), nullable=True),
    sa.Column('uidvalidity', sa.BigInteger(), nullable=True),
    sa.Column('uid', sa.BigInteger(), nullable=True),
    sa.Column('message_id', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('lead_id', sa.Integer(), nullable=True),
    sa.Column('activity_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('sender', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('taken_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], name=op.f('fk_intake_mail_message_activity_id_activity')),
    sa.ForeignKeyConstraint(['lead_id'], ['leads_lead.id'], name=op.f('fk_intake_mail_message_lead_id_leads_lead')),
    sa.ForeignKeyConstraint(['mailbox_id'], ['intake_mail_mailbox.id'], name=op.f('fk_intake_mail_message_mailbox_id_intake_mail_mailbox')),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('mailbox_id', 'uidvalidity', 'uid', name='uq_intake_mail_message_uid')
    )
    with op.batch_alter_table('intake_mail_message', schema=None) as batch_op:
        batch_op.create_index('ix_intake_mail_message_mailbox', ['mailbox_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_intake_mail_message_message_id'), ['message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_intake_mail_message_lead_id'), ['lead_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('intake_mail_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_intake_mail_message_lead_id'))
        batch_op.drop_index(batch_op.f('ix_intake_mail_message_message_id'))
        batch_op.drop_index('ix_intake_mail_message_mailbox')
    op.drop_table('intake_mail_message')
    op.drop_table('intake_mail_mailbox')
