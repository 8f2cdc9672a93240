"""real estate: offers, advertising placements, people's roles (RE-3)

Revision ID: e5a1b2c3d4f8
Revises: e5a1b2c3d4f6
Create Date: 2026-12-07 16:16:29.711186
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = 'e5a1b2c3d4f8'
down_revision: Union[str, Sequence[str], None] = 'e5a1b2c3d4f6'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('real_estate_person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('is_buyer', sa.Boolean(), nullable=False),
    sa.Column('is_seller', sa.Boolean(), nullable=False),
    sa.Column('is_landlord', sa.Boolean(), nullable=False),
    sa.Column('is_tenant', sa.Boolean(), nullable=False),
    sa.Column('districts', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.ForeignKeyConstraint(['record_id'], ['contacts_person.id'], name=op.f('fk_real_estate_person_record_id_contacts_person')),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('record_id', name=op.f('uq_real_estate_person_record_id'))
    )
    with op.batch_alter_table('real_estate_person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_real_estate_person_is_buyer'), ['is_buyer'], unique=False)
        batch_op.create_index(batch_op.f('ix_real_estate_person_is_landlord'), ['is_landlord'], unique=False)
        batch_op.create_index(batch_op.f('ix_real_estate_person_is_seller'), ['is_seller'], unique=False)
        batch_op.create_index(batch_op.f('ix_real_estate_person_is_tenant'), ['is_tenant'], unique=False)

    op.create_table('real_estate_offer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('archived_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('property_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=True),
    sa.Column('amount', sa.Numeric(precision=15, scale=2), nullable=False),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('made_on', sa.Date(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['core_user.id'], name=op.f('fk_real_estate_offer_created_by_id_core_user')),
    sa.ForeignKeyConstraint(['deal_id'], ['pipelines_deal.id'], name=op.f('fk_real_estate_offer_deal_id_pipelines_deal')),
    sa.ForeignKeyConstraint(['owner_id'], ['core_user.id'], name=op.f('fk_real_estate_offer_owner_id_core_user')),
    sa.ForeignKeyConstraint(['person_id'], ['contacts_person.id'], name=op.f('fk_real_estate_offer_person_id_contacts_person')),
    sa.ForeignKeyConstraint(['property_id'], ['real_estate_property.id'], name=op.f('fk_real_estate_offer_property_id_real_estate_property')),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('real_estate_offer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_real_estate_offer_archived_at'), ['archived_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_real_estate_offer_deal_id'), ['deal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_real_estate_offer_made_on'), ['made_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_real_estate_offer_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index('ix_real_estate_offer_owner_list', ['owner_id', 'archived_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_real_estate_offer_person_id'), ['person_id'], unique=False)
        batch_op.create_index('ix_real_estate_offer_property_list', ['property_id', 'archived_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_real_estate_offer_status'), ['status'], unique=False)

    op.create_table('real_estate_placement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('archived_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('property_id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('cost', sa.Numeric(precision=15, scale=2), nullable=True),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['core_user.id'], name=op.f('fk_real_estate_placement_created_by_id_core_user')),
    sa.ForeignKeyConstraint(['owner_id'], ['core_user.id'], name=op.f('fk_real_estate_placement_owner_id_core_user')),
    sa.ForeignKeyConstraint(['property_id'], ['real_estate_property.id'], name=op.f('fk_real_estate_placement_property_id_real_estate_property')),
    sa.ForeignKeyConstraint(['source_id'], ['leads_source.id'], name=op.f('fk_real_estate_placement_source_id_leads_source')),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('real_estate_placement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_real_estate_placement_archived_at'), ['archived_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_real_estate_placement_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index('ix_real_estate_placement_owner_list', ['owner_id', 'archived_at', 'id'], unique=False)
        batch_op.create_index('ix_real_estate_placement_property_list', ['property_id', 'archived_at', 'id'], unique=False)
        batch_op.create_index('ix_real_estate_placement_source_dates', ['source_id', 'started_on'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('real_estate_placement', schema=None) as batch_op:
        batch_op.drop_index('ix_real_estate_placement_source_dates')
        batch_op.drop_index('ix_real_estate_placement_property_list')
        batch_op.drop_index('ix_real_estate_placement_owner_list')
        batch_op.drop_index(batch_op.f('ix_real_estate_placement_owner_id'))
        batch_op.drop_index(batch_op.f('ix_real_estate_placement_archived_at'))

    op.drop_table('real_estate_placement')
    with op.batch_alter_table('real_estate_offer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_real_estate_offer_status'))
        batch_op.drop_index('ix_real_estate_offer_property_list')
        batch_op.drop_index(batch_op.f('ix_real_estate_offer_person_id'))
        batch_op.drop_index('ix_real_estate_offer_owner_list')
        batch_op.drop_index(batch_op.f('ix_real_estate_offer_owner_id'))
        batch_op.drop_index(batch_op.f('ix_real_estate_offer_made_on'))
        batch_op.drop_index(batch_op.f('ix_real_estate_offer_deal_id'))
        batch_op.drop_index(batch_op.f('ix_real_estate_offer_archived_at'))

    op.drop_table('real_estate_offer')
    with op.batch_alter_table('real_estate_person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_real_estate_person_is_tenant'))
        batch_op.drop_index(batch_op.f('ix_real_estate_person_is_seller'))
        batch_op.drop_index(batch_op.f('ix_real_estate_person_is_landlord'))
        batch_op.drop_index(batch_op.f('ix_real_estate_person_is_buyer'))

    op.drop_table('real_estate_person')
