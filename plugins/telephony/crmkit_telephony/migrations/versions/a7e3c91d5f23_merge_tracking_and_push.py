"""merge tracking numbers with reports, and the incoming-call card's push, both built on a7e3c91d5f20

Revision ID: a7e3c91d5f23
Revises: a7e3c91d5f21, a7e3c91d5f22
Create Date: 2026-12-07 17:10:00
"""
from typing import Sequence, Union

revision: str = 'a7e3c91d5f23'
down_revision: Union[str, Sequence[str], None] = ('a7e3c91d5f21', 'a7e3c91d5f22')
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
