"""the work calendar, lead assignment rules and response deadlines

worktime_settings holds the instance's working hours per weekday, whose public holidays count and
its time zone (no row: Monday to Friday 09:00-18:00, Kazakhstan, the deployment's zone);
worktime_day the admin's own days off and working days. lead_routing_rule holds the ordered
assignment rules, lead_routing_pointer each rule's round-robin position (a row locked while a lead
is given out), lead_routing_settings the fallback user and the deadlines per channel,
lead_routing_assignment who got each lead and how, lead_routing_response each lead's deadline and
first response. Managers may assign leads (``lead_routing.assign``); admins hold every permission.

Revision ID: 4a5b6c7d8e9f
Revises: 2a3b4c5d6e7f
Create Date: 2026-12-07 12:40:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '4a5b6c7d8e9f'
down_revision: Union[str, Sequence[str], None] = '2a3b4c5d6e7f'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

PERMISSION = "lead_routing.assign"
ROLES = ("manager",)
role = sa.table("core_role", sa.column("name", sa.String), sa.column("permissions", sa.JSON))


def set_permission(present: bool) -> None:
    conn = op.get_bind()
    for name, permissions in conn.execute(sa.select(role.c.name, role.c.permissions).where(role.c.name.in_(ROLES))):
        permissions = [p for p in (permissions or []) if p != PERMISSION] + ([PERMISSION] if present else [])
        conn.execute(role.update().where(role.c.name == name).values(permissions=permissions))


def upgrade() -> None:
    op.create_table('worktime_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('week', sa.JSON(), nullable=False),
    sa.Column('country', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('timezone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['core_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('worktime_day',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('starts', sa.Time(), nullable=True),
    sa.Column('ends', sa.Time(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['core_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('day')
    )
    set_permission(True)


def downgrade() -> None:
    set_permission(False)
    op.drop_table('worktime_day')
    op.drop_table('worktime_settings')
