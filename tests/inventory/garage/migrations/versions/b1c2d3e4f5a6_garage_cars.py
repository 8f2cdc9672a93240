"""garage cars

Revision ID: b1c2d3e4f5a6
Revises:
Create Date: 2026-12-07 16:20:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = 'b1c2d3e4f5a6'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('garage_car',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('archived_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.Column('plate', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('model', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('price', sa.Numeric(precision=15, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['core_user.id'], name=op.f('fk_garage_car_created_by_id_core_user')),
    sa.ForeignKeyConstraint(['owner_id'], ['core_user.id'], name=op.f('fk_garage_car_owner_id_core_user')),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('plate', name=op.f('uq_garage_car_plate'))
    )
    op.create_index(op.f('ix_garage_car_archived_at'), 'garage_car', ['archived_at'], unique=False)
    op.create_index(op.f('ix_garage_car_owner_id'), 'garage_car', ['owner_id'], unique=False)
    op.create_index(op.f('ix_garage_car_price'), 'garage_car', ['price'], unique=False)


def downgrade() -> None:
    op.drop_table('garage_car')
