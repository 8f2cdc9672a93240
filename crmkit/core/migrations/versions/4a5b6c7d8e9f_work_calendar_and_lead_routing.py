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
    op.create_table('lead_routing_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('on_arrival', sa.Boolean(), nullable=False),
    sa.Column('conditions', sa.JSON(), nullable=False),
    sa.Column('strategy', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('working_hours_only', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['core_department.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['core_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_lead_routing_rule_order', 'lead_routing_rule', ['position', 'id'], unique=False)
    op.create_index(op.f('ix_lead_routing_rule_department_id'), 'lead_routing_rule', ['department_id'], unique=False)
    op.create_index(op.f('ix_lead_routing_rule_user_id'), 'lead_routing_rule', ['user_id'], unique=False)
    op.create_table('lead_routing_pointer',
    sa.Column('rule_id', sa.Integer(), nullable=False),
    sa.Column('last_user_id', sa.Integer(), nullable=True),
    sa.Column('turns', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['rule_id'], ['lead_routing_rule.id'], ),
    sa.PrimaryKeyConstraint('rule_id')
    )
    op.create_table('lead_routing_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fallback_user_id', sa.Integer(), nullable=True),
    sa.Column('deadlines', sa.JSON(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['fallback_user_id'], ['core_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('lead_routing_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=True),
    sa.Column('how', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('by_user_id', sa.Integer(), nullable=True),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['by_user_id'], ['core_user.id'], ),
    sa.ForeignKeyConstraint(['lead_id'], ['leads_lead.id'], ),
    sa.ForeignKeyConstraint(['rule_id'], ['lead_routing_rule.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['core_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_lead_routing_assignment_lead', 'lead_routing_assignment', ['lead_id', 'id'], unique=False)
    op.create_index(op.f('ix_lead_routing_assignment_rule_id'), 'lead_routing_assignment', ['rule_id'], unique=False)
    op.create_index(op.f('ix_lead_routing_assignment_user_id'), 'lead_routing_assignment', ['user_id'], unique=False)
    op.create_table('lead_routing_response',
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('received_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('due_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('responded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('by_user_id', sa.Integer(), nullable=True),
    sa.Column('how', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('seconds', sa.Integer(), nullable=True),
    sa.Column('working_seconds', sa.Integer(), nullable=True),
    sa.Column('late', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['by_user_id'], ['core_user.id'], ),
    sa.ForeignKeyConstraint(['lead_id'], ['leads_lead.id'], ),
    sa.PrimaryKeyConstraint('lead_id')
    )
    op.create_index('ix_lead_routing_response_open', 'lead_routing_response', ['responded_at', 'due_at'], unique=False)
    op.create_index(op.f('ix_lead_routing_response_by_user_id'), 'lead_routing_response', ['by_user_id'], unique=False)
    op.create_index(op.f('ix_lead_routing_response_channel'), 'lead_routing_response', ['channel'], unique=False)
    set_permission(True)


def downgrade() -> None:
    set_permission(False)
    op.drop_index(op.f('ix_lead_routing_response_channel'), table_name='lead_routing_response')
    op.drop_index(op.f('ix_lead_routing_response_by_user_id'), table_name='lead_routing_response')
    op.drop_index('ix_lead_routing_response_open', table_name='lead_routing_response')
    op.drop_table('lead_routing_response')
    op.drop_index(op.f('ix_lead_routing_assignment_user_id'), table_name='lead_routing_assignment')
    op.drop_index(op.f('ix_lead_routing_assignment_rule_id'), table_name='lead_routing_assignment')
    op.drop_index('ix_lead_routing_assignment_lead', table_name='lead_routing_assignment')
    op.drop_table('lead_routing_assignment')
    op.drop_table('lead_routing_settings')
    op.drop_table('lead_routing_pointer')
    op.drop_index(op.f('ix_lead_routing_rule_user_id'), table_name='lead_routing_rule')
    op.drop_index(op.f('ix_lead_routing_rule_department_id'), table_name='lead_routing_rule')
    op.drop_index('ix_lead_routing_rule_order', table_name='lead_routing_rule')
    op.drop_table('lead_routing_rule')
    op.drop_table('worktime_day')
    op.drop_table('worktime_settings')
