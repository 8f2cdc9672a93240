"""merge the branches built side by side on the sessions revision

The board's kept totals, saved reports and mailings, sales targets with activity counts and
dashboards, the funnel's transition index and the first-login flag were each built on
a7b8c9d0e1f2; this joins them.

Revision ID: 0b1c2d3e4f5a
Revises: a8b9c0d1e2f3, b1c2d3e4f5a6, c2d3e4f5a6b7, d3e4f5a6b7c8, f5a6b7c8d9e0
Create Date: 2026-12-07 10:50:00
"""
from typing import Sequence, Union

revision: str = '0b1c2d3e4f5a'
down_revision: Union[str, Sequence[str], None] = (
    'a8b9c0d1e2f3',
    'b1c2d3e4f5a6',
    'c2d3e4f5a6b7',
    'd3e4f5a6b7c8',
    'f5a6b7c8d9e0',
)
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
