"""merge buyer demand with offers, placements and people's roles, both built on e5a1b2c3d4f6

Revision ID: e5a1b2c3d4f9
Revises: e5a1b2c3d4f7, e5a1b2c3d4f8
Create Date: 2026-12-07 17:10:00
"""
from typing import Sequence, Union

revision: str = 'e5a1b2c3d4f9'
down_revision: Union[str, Sequence[str], None] = ('e5a1b2c3d4f7', 'e5a1b2c3d4f8')
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
