"""roles, org structure and record history

Users get a role (admin, manager or agent, seeded here), a department and a manager; the old
is_admin flag becomes the admin role. Offices, departments and the change history arrive.

Revision ID: b3c2a05bd762
Revises: 7eecfaac55f0
Create Date: 2026-11-23 17:41:05.602263
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = 'b3c2a05bd762'
down_revision: Union[str, Sequence[str], None] = '7eecfaac55f0'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

ENTITY_ACTIONS = ["*.view", "*.create", "*.edit"]
DEFAULT_ROLES = [
    {"name": "admin", "label": "Administrator", "permissions": ["*"], "visibility": {"*": "all"}},
    {
        "name": "manager",
        "label": "Manager",
        "permissions": ENTITY_ACTIONS + ["*.archive", "*.import", "*.export"],
        "visibility": {"*": "department"},
    },
    {"name": "agent", "label": "Agent", "permissions": ENTITY_ACTIONS, "visibility": {"*": "own"}},
]


def upgrade() -> None:
    op.create_table('core_office',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('timezone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name', name='uq_core_office_name')
    )
    role = op.create_table('core_role',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('permissions', sa.JSON(), nullable=False),
    sa.Column('visibility', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.bulk_insert(role, DEFAULT_ROLES)
    op.create_table('core_department',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=True),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('head_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['head_id'], ['core_user.id'], name='fk_core_department_head_id_core_user'),
    sa.ForeignKeyConstraint(['office_id'], ['core_office.id'], name='fk_core_department_office_id_core_office'),
    sa.ForeignKeyConstraint(['parent_id'], ['core_department.id'], name='fk_core_department_parent_id_core_department'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_core_department_office_id', 'core_department', ['office_id'], unique=False)
    op.create_index('ix_core_department_parent_id', 'core_department', ['parent_id'], unique=False)
    op.create_table('core_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entity', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['core_user.id'], name='fk_core_change_user_id_core_user'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_core_change_record', 'core_change', ['entity', 'record_id', 'id'], unique=False)

    with op.batch_alter_table('core_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False, server_default='agent'))
        batch_op.add_column(sa.Column('department_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('manager_id', sa.Integer(), nullable=True))
    op.execute("UPDATE core_user SET role = 'admin' WHERE is_admin")
    with op.batch_alter_table('core_user', schema=None) as batch_op:
        batch_op.alter_column('role', server_default=None)
        batch_op.create_index('ix_core_user_department_id', ['department_id'], unique=False)
        batch_op.create_index('ix_core_user_manager_id', ['manager_id'], unique=False)
        batch_op.create_foreign_key('fk_core_user_manager_id_core_user', 'core_user', ['manager_id'], ['id'])
        batch_op.create_foreign_key('fk_core_user_department_id_core_department', 'core_department', ['department_id'], ['id'])
        batch_op.create_foreign_key('fk_core_user_role_core_role', 'core_role', ['role'], ['name'])
        batch_op.drop_column('is_admin')


def downgrade() -> None:
    with op.batch_alter_table('core_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_admin', sa.BOOLEAN(), nullable=False, server_default=sa.false()))
    op.execute("UPDATE core_user SET is_admin = (role = 'admin')")
    with op.batch_alter_table('core_user', schema=None) as batch_op:
        batch_op.drop_constraint('fk_core_user_role_core_role', type_='foreignkey')
        batch_op.drop_constraint('fk_core_user_department_id_core_department', type_='foreignkey')
        batch_op.drop_constraint('fk_core_user_manager_id_core_user', type_='foreignkey')
        batch_op.drop_index('ix_core_user_manager_id')
        batch_op.drop_index('ix_core_user_department_id')
        batch_op.drop_column('manager_id')
        batch_op.drop_column('department_id')
        batch_op.drop_column('role')
    op.drop_index('ix_core_change_record', table_name='core_change')
    op.drop_table('core_change')
    op.drop_index('ix_core_department_parent_id', table_name='core_department')
    op.drop_index('ix_core_department_office_id', table_name='core_department')
    op.drop_table('core_department')
    op.drop_table('core_role')
    op.drop_table('core_office')
