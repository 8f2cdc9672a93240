"""leads, their sources, web forms and webhook senders

leads_lead holds every lead whichever channel it came through (unique on the channel and the
sender's id, so a retried delivery finds the lead it made); leads_source and leads_source_match
name where leads come from and the values that point to each source (a utm_source tag, a form, a
mailbox, a tracking number, a referring site). intake_form holds the web forms admins embed in
their sites; intake_webhook_sender the systems allowed to post leads, each with its own secret.

Revision ID: 2a3b4c5d6e7f
Revises: 1c2d3e4f5a6b
Create Date: 2026-12-07 12:24:11
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '2a3b4c5d6e7f'
down_revision: Union[str, Sequence[str], None] = '1c2d3e4f5a6b'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('leads_source',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('names', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key', name=op.f('uq_leads_source_key'))
    )
    op.create_table('leads_source_match',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('value', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['leads_source.id'], name=op.f('fk_leads_source_match_source_id_leads_source')),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('kind', 'value', name='uq_leads_source_match_kind_value')
    )
    with op.batch_alter_table('leads_source_match', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_leads_source_match_source_id'), ['source_id'], unique=False)

    op.create_table('leads_lead',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('archived_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('organization_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('phones', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('emails', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True),
    sa.Column('phone_key', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('email_key', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True),
    sa.Column('request', sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=True),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('utm_source', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('utm_medium', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('utm_campaign', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('utm_content', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('utm_term', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('referrer', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('landing_page', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('raw', sa.JSON(), nullable=True),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('received_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('response_due_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('first_response_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('assigned_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('last_action_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('rejection_reason', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
    sa.Column('rejection_note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('reprocess_reason', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
    sa.Column('reprocess_note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('deal_id', sa.Integer(), nullable=True),
    sa.Column('duplicate_of_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['core_user.id'], name=op.f('fk_leads_lead_created_by_id_core_user')),
    sa.ForeignKeyConstraint(['deal_id'], ['pipelines_deal.id'], name=op.f('fk_leads_lead_deal_id_pipelines_deal')),
    sa.ForeignKeyConstraint(['duplicate_of_id'], ['leads_lead.id'], name=op.f('fk_leads_lead_duplicate_of_id_leads_lead')),
    sa.ForeignKeyConstraint(['organization_id'], ['contacts_organization.id'], name=op.f('fk_leads_lead_organization_id_contacts_organization')),
    sa.ForeignKeyConstraint(['owner_id'], ['core_user.id'], name=op.f('fk_leads_lead_owner_id_core_user')),
    sa.ForeignKeyConstraint(['person_id'], ['contacts_person.id'], name=op.f('fk_leads_lead_person_id_contacts_person')),
    sa.ForeignKeyConstraint(['source_id'], ['leads_source.id'], name=op.f('fk_leads_lead_source_id_leads_source')),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('channel', 'external_id', name='uq_leads_lead_channel_external_id')
    )
    with op.batch_alter_table('leads_lead', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_leads_lead_archived_at'), ['archived_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_leads_lead_channel'), ['channel'], unique=False)
        batch_op.create_index(batch_op.f('ix_leads_lead_deal_id'), ['deal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_leads_lead_duplicate_of_id'), ['duplicate_of_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_leads_lead_email_key'), ['email_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_leads_lead_last_action_at'), ['last_action_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_leads_lead_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_leads_lead_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index('ix_leads_lead_owner_list', ['owner_id', 'archived_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_leads_lead_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_leads_lead_phone_key'), ['phone_key'], unique=False)
        batch_op.create_index('ix_leads_lead_queue', ['status', 'archived_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_leads_lead_received_at'), ['received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_leads_lead_response_due_at'), ['response_due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_leads_lead_source_id'), ['source_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_leads_lead_status'), ['status'], unique=False)

    op.create_table('intake_form',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('required', sa.JSON(), nullable=False),
    sa.Column('allowed_origins', sa.JSON(), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('thank_you', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('redirect_url', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('honeypot_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('archived_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['source_id'], ['leads_source.id'], name=op.f('fk_intake_form_source_id_leads_source')),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token', name=op.f('uq_intake_form_token'))
    )
    with op.batch_alter_table('intake_form', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_intake_form_source_id'), ['source_id'], unique=False)

    op.create_table('intake_webhook_sender',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('secret', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('received_count', sa.Integer(), nullable=False),
    sa.Column('last_received_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('archived_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['source_id'], ['leads_source.id'], name=op.f('fk_intake_webhook_sender_source_id_leads_source')),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key', name=op.f('uq_intake_webhook_sender_key'))
    )
    with op.batch_alter_table('intake_webhook_sender', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_intake_webhook_sender_source_id'), ['source_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('intake_webhook_sender', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_intake_webhook_sender_source_id'))
    op.drop_table('intake_webhook_sender')
    with op.batch_alter_table('intake_form', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_intake_form_source_id'))
    op.drop_table('intake_form')
    with op.batch_alter_table('leads_lead', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_leads_lead_status'))
        batch_op.drop_index(batch_op.f('ix_leads_lead_source_id'))
        batch_op.drop_index(batch_op.f('ix_leads_lead_response_due_at'))
        batch_op.drop_index(batch_op.f('ix_leads_lead_received_at'))
        batch_op.drop_index('ix_leads_lead_queue')
        batch_op.drop_index(batch_op.f('ix_leads_lead_phone_key'))
        batch_op.drop_index(batch_op.f('ix_leads_lead_person_id'))
        batch_op.drop_index('ix_leads_lead_owner_list')
        batch_op.drop_index(batch_op.f('ix_leads_lead_owner_id'))
        batch_op.drop_index(batch_op.f('ix_leads_lead_organization_id'))
        batch_op.drop_index(batch_op.f('ix_leads_lead_last_action_at'))
        batch_op.drop_index(batch_op.f('ix_leads_lead_email_key'))
        batch_op.drop_index(batch_op.f('ix_leads_lead_duplicate_of_id'))
        batch_op.drop_index(batch_op.f('ix_leads_lead_deal_id'))
        batch_op.drop_index(batch_op.f('ix_leads_lead_channel'))
        batch_op.drop_index(batch_op.f('ix_leads_lead_archived_at'))

    op.drop_table('leads_lead')
    with op.batch_alter_table('leads_source_match', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_leads_source_match_source_id'))

    op.drop_table('leads_source_match')
    op.drop_table('leads_source')
