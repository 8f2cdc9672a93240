"""indexes for an agent's own lists

An agent sees only their own records: ``owner_id = ? AND archived_at IS NULL ORDER BY name``.
With only ``owner_id`` indexed, both engines fetch all of that owner's rows and sort them to show
fifty (a twentieth of the table per agent, 50,000 rows at a million contacts). An index on
(owner_id, archived_at, name) hands them over in order; activities by when they happened.

Revision ID: d5e6f7a8b9c0
Revises: c7d2e8f41a90
Create Date: 2026-11-30 03:30:00
"""
from typing import Sequence, Union

from alembic import op

revision: str = 'd5e6f7a8b9c0'
down_revision: Union[str, Sequence[str], None] = 'c7d2e8f41a90'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

INDEXES = (
    ("ix_contacts_person_owner_list", "contacts_person", ["owner_id", "archived_at", "name"]),
    ("ix_contacts_organization_owner_list", "contacts_organization", ["owner_id", "archived_at", "name"]),
    ("ix_activity_owner_list", "activity", ["owner_id", "archived_at", "happened_at"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in INDEXES:
        op.drop_index(name, table_name=table)
