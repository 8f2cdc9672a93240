"""organisations and people by when they were added

The home page counts the clients added this week (crmkit/core/home/figures.py), as the "new
clients" reports do over any period: a range of ``created_at``. Without an index each count read
every organisation or person; with it, the week's rows.

Revision ID: 1b2c3d4e5f60
Revises: 1c2d3e4f5a6b
Create Date: 2026-12-07 12:45:00
"""
from typing import Sequence, Union

from alembic import op

revision: str = '1b2c3d4e5f60'
down_revision: Union[str, Sequence[str], None] = '1c2d3e4f5a6b'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index('ix_contacts_organization_created', 'contacts_organization', ['created_at'], unique=False)
    op.create_index('ix_contacts_person_created', 'contacts_person', ['created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_contacts_person_created', table_name='contacts_person')
    op.drop_index('ix_contacts_organization_created', table_name='contacts_organization')
