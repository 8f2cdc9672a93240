"""saved reports and their mailings

reports_saved keeps a report's filter values under a name, for its owner or shared with
everyone; reports_mailing sends a saved report as XLSX to chosen users weekly or monthly, at an
hour of its owner's clock (next_run_at, indexed, is what the periodic job looks for).

Revision ID: c2d3e4f5a6b7
Revises: a7b8c9d0e1f2
Create Date: 2026-12-07 09:40:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = 'c2d3e4f5a6b7'
down_revision: Union[str, Sequence[str], None] = 'a7b8c9d0e1f2'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('reports_saved',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('shared', sa.Boolean(), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['core_user.id'], name='fk_reports_saved_owner_id_core_user'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_reports_saved_owner_id', 'reports_saved', ['owner_id'], unique=False)
    op.create_index('ix_reports_saved_report_key', 'reports_saved', ['report_key'], unique=False)
    op.create_table('reports_mailing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('saved_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('frequency', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('day', sa.Integer(), nullable=False),
    sa.Column('hour', sa.Integer(), nullable=False),
    sa.Column('recipients', sa.JSON(), nullable=False),
    sa.Column('next_run_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('last_sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['core_user.id'], name='fk_reports_mailing_owner_id_core_user'),
    sa.ForeignKeyConstraint(['saved_id'], ['reports_saved.id'], name='fk_reports_mailing_saved_id_reports_saved'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_reports_mailing_next_run_at', 'reports_mailing', ['next_run_at'], unique=False)
    op.create_index('ix_reports_mailing_owner_id', 'reports_mailing', ['owner_id'], unique=False)
    op.create_index('ix_reports_mailing_saved_id', 'reports_mailing', ['saved_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_reports_mailing_saved_id', table_name='reports_mailing')
    op.drop_index('ix_reports_mailing_owner_id', table_name='reports_mailing')
    op.drop_index('ix_reports_mailing_next_run_at', table_name='reports_mailing')
    op.drop_table('reports_mailing')
    op.drop_index('ix_reports_saved_report_key', table_name='reports_saved')
    op.drop_index('ix_reports_saved_owner_id', table_name='reports_saved')
    op.drop_table('reports_saved')
