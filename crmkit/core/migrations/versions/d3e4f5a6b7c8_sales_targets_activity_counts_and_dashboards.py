"""sales targets, hourly activity counts and users' dashboards

targets_sales_target: what an employee or a department is to win in a month (admins enter it).
activities_hourly: activities counted per kind, UTC hour and owner, which the activity report and
the calls heatmap read instead of the activity table; filled here from the activities there are
(crmkit/core/activities/rollup.py keeps it in step afterwards). home_dashboard: the widgets a user
pinned to their home page, in order.

Revision ID: d3e4f5a6b7c8
Revises: a7b8c9d0e1f2
Create Date: 2026-12-07 09:40:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = 'd3e4f5a6b7c8'
down_revision: Union[str, Sequence[str], None] = 'a7b8c9d0e1f2'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('targets_sales_target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.CheckConstraint('(user_id IS NULL) <> (department_id IS NULL)', name=op.f('ck_targets_sales_target_one_holder')),
    sa.ForeignKeyConstraint(['department_id'], ['core_department.id'], name=op.f('fk_targets_sales_target_department_id_core_department')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['core_user.id'], name=op.f('fk_targets_sales_target_updated_by_id_core_user')),
    sa.ForeignKeyConstraint(['user_id'], ['core_user.id'], name=op.f('fk_targets_sales_target_user_id_core_user')),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('month', 'department_id', name='uq_targets_sales_target_month_department'),
    sa.UniqueConstraint('month', 'user_id', name='uq_targets_sales_target_month_user')
    )
    with op.batch_alter_table('targets_sales_target', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_targets_sales_target_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_targets_sales_target_user_id'), ['user_id'], unique=False)

    op.create_table('activities_hourly',
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('hour', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('answered', sa.Integer(), nullable=False),
    sa.Column('missed', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'hour', 'owner_id'),
    sqlite_with_rowid=False
    )
    op.create_table('home_dashboard',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('widgets', sa.JSON(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['core_user.id'], name=op.f('fk_home_dashboard_user_id_core_user')),
    sa.PrimaryKeyConstraint('user_id')
    )
    fill_activity_counts()


def fill_activity_counts() -> None:
    """Count the activities there are, as crmkit's rebuild does (on its own session)."""
    from sqlmodel import Session

    from crmkit.core.activities import rollup

    session = Session(bind=op.get_bind())
    rollup.rebuild(session)
    session.flush()


def downgrade() -> None:
    op.drop_table('home_dashboard')
    op.drop_table('activities_hourly')
    with op.batch_alter_table('targets_sales_target', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_targets_sales_target_user_id'))
        batch_op.drop_index(batch_op.f('ix_targets_sales_target_department_id'))

    op.drop_table('targets_sales_target')
