"""lead triage: deal origins, conversions, quality-control rounds and settings

lead_triage_deal_origin keeps, per deal, the lead it came from with that lead's channel, source
and UTM tags (reports group deals by source through it); lead_triage_conversion every conversion
or link of a lead to a deal (both timelines read it); lead_triage_review each round of quality
control; lead_triage_settings the admins' stale-days and skipped rejection reasons. Managers gain
``leads.triage`` (the unsorted queue's actions) and ``leads.control`` (quality control) and see
every lead (new leads belong to nobody until assigned); roles an admin has changed keep their
changes except for gaining these.

Revision ID: 5a6b7c8d9e0f
Revises: 2a3b4c5d6e7f
Create Date: 2026-12-07 12:40:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '5a6b7c8d9e0f'
down_revision: Union[str, Sequence[str], None] = '2a3b4c5d6e7f'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

PERMISSIONS = ("leads.triage", "leads.control")
ROLES = ("manager",)
LEAD = "lead"
role = sa.table("core_role", sa.column("name", sa.String), sa.column("permissions", sa.JSON),
                sa.column("visibility", sa.JSON))


def text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def set_permissions(present: bool) -> None:
    """Managers gain (or lose) the permissions, and see every lead: new ones belong to nobody until
    they are assigned, and a department's visibility covers only its members' records."""
    conn = op.get_bind()
    rows = conn.execute(sa.select(role.c.name, role.c.permissions, role.c.visibility).where(role.c.name.in_(ROLES)))
    for name, permissions, visibility in rows.all():
        permissions = [p for p in (permissions or []) if p not in PERMISSIONS] + (list(PERMISSIONS) if present else [])
        visibility = dict(visibility or {})
        if present:
            visibility.setdefault(LEAD, "all")
        elif visibility.get(LEAD) == "all":
            del visibility[LEAD]
        conn.execute(role.update().where(role.c.name == name).values(permissions=permissions, visibility=visibility))


def upgrade() -> None:
    op.create_table('lead_triage_deal_origin',
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('channel', text(30), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('utm_source', text(200), nullable=True),
    sa.Column('utm_medium', text(200), nullable=True),
    sa.Column('utm_campaign', text(200), nullable=True),
    sa.Column('utm_content', text(200), nullable=True),
    sa.Column('utm_term', text(200), nullable=True),
    sa.Column('referrer', text(2000), nullable=True),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['deal_id'], ['pipelines_deal.id'], name='fk_lead_triage_deal_origin_deal_id_pipelines_deal'),
    sa.ForeignKeyConstraint(['lead_id'], ['leads_lead.id'], name='fk_lead_triage_deal_origin_lead_id_leads_lead'),
    sa.ForeignKeyConstraint(['source_id'], ['leads_source.id'], name='fk_lead_triage_deal_origin_source_id_leads_source'),
    sa.PrimaryKeyConstraint('deal_id')
    )
    op.create_index('ix_lead_triage_deal_origin_lead_id', 'lead_triage_deal_origin', ['lead_id'], unique=False)
    op.create_index('ix_lead_triage_deal_origin_channel', 'lead_triage_deal_origin', ['channel'], unique=False)
    op.create_index('ix_lead_triage_deal_origin_source_id', 'lead_triage_deal_origin', ['source_id'], unique=False)
    op.create_table('lead_triage_conversion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('created', sa.Boolean(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['lead_id'], ['leads_lead.id'], name='fk_lead_triage_conversion_lead_id_leads_lead'),
    sa.ForeignKeyConstraint(['deal_id'], ['pipelines_deal.id'], name='fk_lead_triage_conversion_deal_id_pipelines_deal'),
    sa.ForeignKeyConstraint(['person_id'], ['contacts_person.id'], name='fk_lead_triage_conversion_person_id_contacts_person'),
    sa.ForeignKeyConstraint(['organization_id'], ['contacts_organization.id'],
                            name='fk_lead_triage_conversion_organization_id_contacts_organization'),
    sa.ForeignKeyConstraint(['user_id'], ['core_user.id'], name='fk_lead_triage_conversion_user_id_core_user'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_lead_triage_conversion_lead', 'lead_triage_conversion', ['lead_id', 'at'], unique=False)
    op.create_index('ix_lead_triage_conversion_deal', 'lead_triage_conversion', ['deal_id', 'at'], unique=False)
    op.create_table('lead_triage_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('reason', text(30), nullable=False),
    sa.Column('note', text(2000), nullable=True),
    sa.Column('queued_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('outcome', text(20), nullable=True),
    sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('comment', text(2000), nullable=True),
    sa.ForeignKeyConstraint(['lead_id'], ['leads_lead.id'], name='fk_lead_triage_review_lead_id_leads_lead'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['core_user.id'], name='fk_lead_triage_review_decided_by_id_core_user'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_lead_triage_review_lead', 'lead_triage_review', ['lead_id', 'id'], unique=False)
    op.create_index('ix_lead_triage_review_queued', 'lead_triage_review', ['queued_at', 'reason', 'outcome'], unique=False)
    op.create_table('lead_triage_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stale_days', sa.Integer(), nullable=False),
    sa.Column('skipped_reasons', sa.JSON(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    set_permissions(True)


def downgrade() -> None:
    set_permissions(False)
    op.drop_table('lead_triage_settings')
    op.drop_index('ix_lead_triage_review_queued', table_name='lead_triage_review')
    op.drop_index('ix_lead_triage_review_lead', table_name='lead_triage_review')
    op.drop_table('lead_triage_review')
    op.drop_index('ix_lead_triage_conversion_deal', table_name='lead_triage_conversion')
    op.drop_index('ix_lead_triage_conversion_lead', table_name='lead_triage_conversion')
    op.drop_table('lead_triage_conversion')
    op.drop_index('ix_lead_triage_deal_origin_source_id', table_name='lead_triage_deal_origin')
    op.drop_index('ix_lead_triage_deal_origin_channel', table_name='lead_triage_deal_origin')
    op.drop_index('ix_lead_triage_deal_origin_lead_id', table_name='lead_triage_deal_origin')
    op.drop_table('lead_triage_deal_origin')
