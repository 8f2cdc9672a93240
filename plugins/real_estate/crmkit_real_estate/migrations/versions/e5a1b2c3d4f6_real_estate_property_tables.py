"""real estate property tables

Revision ID: e5a1b2c3d4f6
Revises: 
Create Date: 2026-12-07 16:11:54
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = 'e5a1b2c3d4f6'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('real_estate_property',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('archived_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('deal_type', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('city', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('district', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('street', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('building', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('area', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('land_area', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('rooms', sa.Integer(), nullable=True),
    sa.Column('floor', sa.Integer(), nullable=True),
    sa.Column('floors', sa.Integer(), nullable=True),
    sa.Column('price', sa.Numeric(precision=15, scale=2), nullable=False),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=True),
    sa.Column('published_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('closed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['core_user.id'], name=op.f('fk_real_estate_property_created_by_id_core_user')),
    sa.ForeignKeyConstraint(['owner_id'], ['core_user.id'], name=op.f('fk_real_estate_property_owner_id_core_user')),
    sa.ForeignKeyConstraint(['person_id'], ['contacts_person.id'], name=op.f('fk_real_estate_property_person_id_contacts_person')),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number', name=op.f('uq_real_estate_property_number'))
    )
    with op.batch_alter_table('real_estate_property', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_real_estate_property_archived_at'), ['archived_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_real_estate_property_city'), ['city'], unique=False)
        batch_op.create_index(batch_op.f('ix_real_estate_property_deal_type'), ['deal_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_real_estate_property_district'), ['district'], unique=False)
        batch_op.create_index(batch_op.f('ix_real_estate_property_kind'), ['kind'], unique=False)
        batch_op.create_index('ix_real_estate_property_match_city', ['status', 'deal_type', 'kind', 'city', 'price'], unique=False)
        batch_op.create_index('ix_real_estate_property_match_district', ['status', 'deal_type', 'kind', 'district', 'price'], unique=False)
        batch_op.create_index(batch_op.f('ix_real_estate_property_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index('ix_real_estate_property_owner_list', ['owner_id', 'archived_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_real_estate_property_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_real_estate_property_price'), ['price'], unique=False)
        batch_op.create_index(batch_op.f('ix_real_estate_property_status'), ['status'], unique=False)

    op.create_table('real_estate_price_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('property_id', sa.Integer(), nullable=False),
    sa.Column('old_price', sa.Numeric(precision=15, scale=2), nullable=True),
    sa.Column('new_price', sa.Numeric(precision=15, scale=2), nullable=False),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('changed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['changed_by_id'], ['core_user.id'], name=op.f('fk_real_estate_price_change_changed_by_id_core_user')),
    sa.ForeignKeyConstraint(['property_id'], ['real_estate_property.id'], name=op.f('fk_real_estate_price_change_property_id_real_estate_property')),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('real_estate_price_change', schema=None) as batch_op:
        batch_op.create_index('ix_real_estate_price_change_history', ['property_id', 'changed_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('real_estate_price_change', schema=None) as batch_op:
        batch_op.drop_index('ix_real_estate_price_change_history')

    op.drop_table('real_estate_price_change')
    with op.batch_alter_table('real_estate_property', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_real_estate_property_status'))
        batch_op.drop_index(batch_op.f('ix_real_estate_property_price'))
        batch_op.drop_index(batch_op.f('ix_real_estate_property_person_id'))
        batch_op.drop_index('ix_real_estate_property_owner_list')
        batch_op.drop_index(batch_op.f('ix_real_estate_property_owner_id'))
        batch_op.drop_index('ix_real_estate_property_match_district')
        batch_op.drop_index('ix_real_estate_property_match_city')
        batch_op.drop_index(batch_op.f('ix_real_estate_property_kind'))
        batch_op.drop_index(batch_op.f('ix_real_estate_property_district'))
        batch_op.drop_index(batch_op.f('ix_real_estate_property_deal_type'))
        batch_op.drop_index(batch_op.f('ix_real_estate_property_city'))
        batch_op.drop_index(batch_op.f('ix_real_estate_property_archived_at'))

    op.drop_table('real_estate_property')
