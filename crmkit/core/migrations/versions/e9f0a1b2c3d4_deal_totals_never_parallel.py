"""the board's kept totals are never read by parallel workers (PostgreSQL)

A board reads a few hundred rows of ``pipelines_deal_total``: its open deals and the last month
of closings, one short range of the primary key per stage. At 1M deals the table's rows are
scattered by their updates (600 rows on 513 pages at 1M), so the planner's cost for those ranges
passes ``parallel_setup_cost`` and it launched two parallel workers for them: 8 ms where the rows
themselves take 0.7 ms (EXPLAIN ANALYZE at 1M deals). A range this short never gains from
workers, so the table says so (``parallel_workers = 0``). SQLite has no parallel plans.

Revision ID: e9f0a1b2c3d4
Revises: d8b9c0a1e2f3
Create Date: 2026-12-07 21:25:00
"""
from typing import Sequence, Union

from alembic import op

revision: str = 'e9f0a1b2c3d4'
down_revision: Union[str, Sequence[str], None] = 'd8b9c0a1e2f3'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE pipelines_deal_total SET (parallel_workers = 0)')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE pipelines_deal_total RESET (parallel_workers)')
