"""merge the branches built side by side on the leads, automation and files merge

The inventory links, the funnel's kept stays and won totals, Word templates for documents, and
the indexes for one source's leads and automation's time triggers were each built on
a0b1c2d3e4f5; this joins them.

Revision ID: d8b9c0a1e2f3
Revises: c7a1e2b3d4f5, c7a1e2b3d4f6, c7a1e2b3d4f7, c7a1e2b3d4f8
Create Date: 2026-12-07 17:10:00
"""
from typing import Sequence, Union

revision: str = 'd8b9c0a1e2f3'
down_revision: Union[str, Sequence[str], None] = (
    'c7a1e2b3d4f5',
    'c7a1e2b3d4f6',
    'c7a1e2b3d4f7',
    'c7a1e2b3d4f8',
)
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
