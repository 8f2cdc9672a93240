"""merge the entity framework's branches

API tokens, audit log, custom fields and saved views, import jobs, the search index and
outgoing webhooks were built side by side on the roles revision; this joins them.

Revision ID: e1f0a9c3d7b4
Revises: 0d232442744e, 22f5831f137b, 4056e10d7417, 5e4c8a1f9d20, 9a7d3e5f1c28, c4a1d7e93b52
Create Date: 2026-11-23 18:36:00
"""
from typing import Sequence, Union

revision: str = 'e1f0a9c3d7b4'
down_revision: Union[str, Sequence[str], None] = (
    '0d232442744e',
    '22f5831f137b',
    '4056e10d7417',
    '5e4c8a1f9d20',
    '9a7d3e5f1c28',
    'c4a1d7e93b52',
)
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
