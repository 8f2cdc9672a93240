"""managers and agents may merge duplicates

Merging needs ``core.merge`` and edit rights on both records; an agent sees only their own
records, so they merge only their own duplicates. Roles an admin has changed keep their changes
except for gaining this one permission.

Revision ID: c7d2e8f41a90
Revises: bb14fcc27eda
Create Date: 2026-11-30 00:50:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = 'c7d2e8f41a90'
down_revision: Union[str, Sequence[str], None] = 'bb14fcc27eda'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

PERMISSION = "core.merge"
ROLES = ("manager", "agent")
role = sa.table("core_role", sa.column("name", sa.String), sa.column("permissions", sa.JSON))


def set_permission(present: bool) -> None:
    conn = op.get_bind()
    for name, permissions in conn.execute(sa.select(role.c.name, role.c.permissions).where(role.c.name.in_(ROLES))):
        permissions = [p for p in (permissions or []) if p != PERMISSION] + ([PERMISSION] if present else [])
        conn.execute(role.update().where(role.c.name == name).values(permissions=permissions))


def upgrade() -> None:
    set_permission(True)


def downgrade() -> None:
    set_permission(False)
