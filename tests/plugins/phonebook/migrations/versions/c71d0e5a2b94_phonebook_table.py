"""phonebook table

Revision ID: c71d0e5a2b94
Revises: 
Create Date: 2026-11-23 18:05:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = 'c71d0e5a2b94'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('phonebook_person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('archived_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['core_user.id'], name=op.f('fk_phonebook_person_created_by_id_core_user')),
    sa.ForeignKeyConstraint(['owner_id'], ['core_user.id'], name=op.f('fk_phonebook_person_owner_id_core_user')),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('phonebook_person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_phonebook_person_archived_at'), ['archived_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_phonebook_person_owner_id'), ['owner_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('phonebook_person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_phonebook_person_owner_id'))
        batch_op.drop_index(batch_op.f('ix_phonebook_person_archived_at'))

    op.drop_table('phonebook_person')
