"""a user must choose a new password at the next login

core_user.must_change_password marks a password someone else chose (the first admin's one-time
password, a temporary one an admin typed); existing users keep theirs (false).

Revision ID: a8b9c0d1e2f3
Revises: a7b8c9d0e1f2
Create Date: 2026-12-07 10:20:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = 'a8b9c0d1e2f3'
down_revision: Union[str, Sequence[str], None] = 'a7b8c9d0e1f2'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Plain ALTER TABLE (as in a7b8c9d0e1f2): batch mode would copy core_user, which the tables
    # pointing at a user refuse once the database has data.
    op.add_column('core_user', sa.Column('must_change_password', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    op.drop_column('core_user', 'must_change_password')
