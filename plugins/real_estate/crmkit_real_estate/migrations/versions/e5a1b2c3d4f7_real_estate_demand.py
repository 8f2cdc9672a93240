"""real estate: buyer demand and the districts it names

Revision ID: e5a1b2c3d4f7
Revises: e5a1b2c3d4f6
Create Date: 2026-12-07 16:30:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = 'e5a1b2c3d4f7'
down_revision: Union[str, Sequence[str], None] = 'e5a1b2c3d4f6'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('real_estate_demand',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('archived_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.Column('summary', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('lead_id', sa.Integer(), nullable=True),
    sa.Column('deal_type', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('city', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('districts', sa.Text(), nullable=True),
    sa.Column('rooms_min', sa.Integer(), nullable=True),
    sa.Column('rooms_max', sa.Integer(), nullable=True),
    sa.Column('area_min', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('area_max', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('budget_min', sa.Numeric(precision=15, scale=2), nullable=True),
    sa.Column('budget_max', sa.Numeric(precision=15, scale=2), nullable=True),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['core_user.id'], name=op.f('fk_real_estate_demand_created_by_id_core_user')),
    sa.ForeignKeyConstraint(['lead_id'], ['leads_lead.id'], name=op.f('fk_real_estate_demand_lead_id_leads_lead')),
    sa.ForeignKeyConstraint(['owner_id'], ['core_user.id'], name=op.f('fk_real_estate_demand_owner_id_core_user')),
    sa.ForeignKeyConstraint(['person_id'], ['contacts_person.id'], name=op.f('fk_real_estate_demand_person_id_contacts_person')),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_real_estate_demand_match', 'real_estate_demand', ['status', 'deal_type', 'kind', 'city', 'budget_max'], unique=False)
    op.create_index('ix_real_estate_demand_owner_list', 'real_estate_demand', ['owner_id', 'archived_at', 'id'], unique=False)
    op.create_index(op.f('ix_real_estate_demand_archived_at'), 'real_estate_demand', ['archived_at'], unique=False)
    op.create_index(op.f('ix_real_estate_demand_lead_id'), 'real_estate_demand', ['lead_id'], unique=False)
    op.create_index(op.f('ix_real_estate_demand_owner_id'), 'real_estate_demand', ['owner_id'], unique=False)
    op.create_index(op.f('ix_real_estate_demand_person_id'), 'real_estate_demand', ['person_id'], unique=False)
    op.create_index(op.f('ix_real_estate_demand_status'), 'real_estate_demand', ['status'], unique=False)
    op.create_table('real_estate_demand_district',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('demand_id', sa.Integer(), nullable=False),
    sa.Column('district', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.ForeignKeyConstraint(['demand_id'], ['real_estate_demand.id'], name=op.f('fk_real_estate_demand_district_demand_id_real_estate_demand')),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('demand_id', 'district', name='uq_real_estate_demand_district')
    )
    op.create_index('ix_real_estate_demand_district_district', 'real_estate_demand_district', ['district', 'demand_id'], unique=False)
    op.create_index(op.f('ix_real_estate_demand_district_demand_id'), 'real_estate_demand_district', ['demand_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_real_estate_demand_district_demand_id'), table_name='real_estate_demand_district')
    op.drop_index('ix_real_estate_demand_district_district', table_name='real_estate_demand_district')
    op.drop_table('real_estate_demand_district')
    op.drop_index(op.f('ix_real_estate_demand_status'), table_name='real_estate_demand')
    op.drop_index(op.f('ix_real_estate_demand_person_id'), table_name='real_estate_demand')
    op.drop_index(op.f('ix_real_estate_demand_owner_id'), table_name='real_estate_demand')
    op.drop_index(op.f('ix_real_estate_demand_lead_id'), table_name='real_estate_demand')
    op.drop_index(op.f('ix_real_estate_demand_archived_at'), table_name='real_estate_demand')
    op.drop_index('ix_real_estate_demand_owner_list', table_name='real_estate_demand')
    op.drop_index('ix_real_estate_demand_match', table_name='real_estate_demand')
    op.drop_table('real_estate_demand')
