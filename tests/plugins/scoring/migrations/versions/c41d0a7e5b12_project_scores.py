"""project scores

Revision ID: c41d0a7e5b12
Revises:
Create Date: 2026-11-23 17:55:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = 'c41d0a7e5b12'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('scoring_project_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('tier', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.ForeignKeyConstraint(['record_id'], ['projects_project.id'], name='fk_scoring_project_score_record_id_projects_project'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('record_id', name='uq_scoring_project_score_record_id')
    )
    op.create_index('ix_scoring_project_score_score', 'scoring_project_score', ['score'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_scoring_project_score_score', table_name='scoring_project_score')
    op.drop_table('scoring_project_score')
