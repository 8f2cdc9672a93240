"""merge the branches built side by side on the transition stays revision

Leads (intake mail, lead routing with the work calendar, lead triage), automation, notifications
with mail templates, files with documents, and the home page's figures were each built on
1c2d3e4f5a6b or on the leads revision; this joins them.

Revision ID: a0b1c2d3e4f5
Revises: 1b2c3d4e5f60, 3a4b5c6d7e8f, 4a5b6c7d8e9f, 5a6b7c8d9e0f, 6a7b8c9d0e1f, 7a8b9c0d1e2f, 9a0b1c2d3e4f
Create Date: 2026-12-07 14:10:00
"""
from typing import Sequence, Union

revision: str = 'a0b1c2d3e4f5'
down_revision: Union[str, Sequence[str], None] = (
    '1b2c3d4e5f60',
    '3a4b5c6d7e8f',
    '4a5b6c7d8e9f',
    '5a6b7c8d9e0f',
    '6a7b8c9d0e1f',
    '7a8b9c0d1e2f',
    '9a0b1c2d3e4f',
)
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
