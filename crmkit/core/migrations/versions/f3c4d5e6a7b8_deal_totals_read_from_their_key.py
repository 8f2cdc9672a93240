"""the board's kept totals are read from their key's index alone (PostgreSQL)

A board sums ``pipelines_deal_total`` over its open deals (day 0) and the last month of closings:
one range of the primary key per stage. Every write of a deal rewrites its bucket's row, so the
rows of a range scatter over the table: at 1M deals a closed column's 600 rows of the month lay on
~500 pages, and the planner read them with parallel workers (a Parallel Append, which the table's
``parallel_workers = 0`` of e9f0a1b2c3d4 does not stop): 10 ms of the board's 50 at 1M deals. The
key's index now holds the sums as well (INCLUDE), so each range is an index-only scan of a few
pages: 0.8 ms (EXPLAIN ANALYZE at 1M deals). SQLite reads these ranges in ~1 ms already and has no
INCLUDE; nothing changes there.

Revision ID: f3c4d5e6a7b8
Revises: f2b3c4d5e6a7
Create Date: 2026-12-07 23:10:00
"""
from typing import Sequence, Union

from alembic import op

revision: str = 'f3c4d5e6a7b8'
down_revision: Union[str, Sequence[str], None] = 'f2b3c4d5e6a7'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

KEY = "stage_id, day, owner_id, currency"
SUMMED = "deals, amounts, amount, unweighted, weighted, won"


def key(include: str) -> None:
    op.execute("ALTER TABLE pipelines_deal_total DROP CONSTRAINT pipelines_deal_total_pkey")
    op.execute(f"ALTER TABLE pipelines_deal_total ADD CONSTRAINT pipelines_deal_total_pkey PRIMARY KEY ({KEY}){include}")


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        key(f" INCLUDE ({SUMMED})")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        key("")
