"""The deals' stage history as the funnel reads it, kept by the database beside ``core_transition``.

The funnel counts the deals entering each stage in a period with the filters the bar and the
reader's visibility set (pipeline, owner, source, not archived) and the won ones' final amount and
cycle. Over ``core_transition`` that is a join of every entry of the period to its deal: at 1M
deals a month's ~55k entries, each one lookup of ``pipelines_deal`` (most of the report's time).
``pipelines_funnel_stay`` holds one row per move of an unarchived deal (the transition's id, the
stage, when, when the stay ended and how long it lasted) with the deal's columns the funnel filters
and sums by, so a period is one range of its index per stage and nothing else is read; and the
deals in a stage at a moment ("as of a date") are two ranges of another (still there, or left
after the moment).

Triggers keep it in the writing statement's own transaction, whatever writes: a move through the
workflow (its transition INSERT and the previous stay's end), the import, a merge, a change of a
deal's owner, source, pipeline, amount, amount won or archive, a DELETE, raw SQL. A deal's rows are made
again from its transitions whenever one of its copied columns changes (a few rows). The
migrations ``c7a1e2b3d4f6`` and ``f2b3c4d5e6a7`` made the table, its triggers and the rows of the
history that existed; ``rebuild`` (``crmkit pipelines rebuild-totals``) makes every row again from the history.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

from crmkit.db import utcnow

COLUMNS = ("id, deal_id, pipeline_id, stage_id, owner_id, source, at, left_at, seconds, created_at, amount, won_amount, "
           "currency")
# the transition row ``t`` and its deal ``d``: what the triggers, the migration and ``rebuild`` copy
COPIED = ("{t}.id, d.id, d.pipeline_id, CAST({t}.to_state AS INTEGER), d.owner_id, d.source, {t}.at, {t}.left_at, "
          "{t}.seconds, d.created_at, d.amount, d.won_amount, d.currency")


class FunnelStay(SQLModel, table=True):
    """One move of an unarchived deal into a stage, with the deal's columns the funnel reads.
    ``id`` is the transition's; ``left_at`` and ``seconds`` the stay's end and length once the deal
    moved on."""

    __tablename__ = "pipelines_funnel_stay"
    __table_args__ = (
        # a stage's entries in a period, and everything the funnel reads of them, from the index alone
        Index("ix_pipelines_funnel_stay_entries", "pipeline_id", "stage_id", "at", "owner_id", "source", "seconds",
              "deal_id", "created_at", "won_amount", "currency"),
        # the deals in a stage at a moment: the stays still there (left_at NULL) and those left later
        Index("ix_pipelines_funnel_stay_held", "pipeline_id", "stage_id", "left_at", "at", "owner_id", "source", "amount",
              "currency", "deal_id"),
    )

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    deal_id: int = Field(index=True)
    pipeline_id: int
    stage_id: int
    owner_id: int | None = Field(default=None)
    source: str | None = Field(default=None, max_length=40)
    at: datetime = Field(default_factory=utcnow)
    left_at: datetime | None = Field(default=None)
    seconds: int | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow)
    amount: Decimal | None = Field(default=None, max_digits=18, decimal_places=2)
    won_amount: Decimal | None = Field(default=None, max_digits=18, decimal_places=2)
    currency: str = Field(default="KZT", max_length=3)


def rebuild_sql() -> str:
    """One INSERT ... SELECT of every row from the deals' transitions (the table empty before)."""
    return (f"INSERT INTO pipelines_funnel_stay ({COLUMNS}) SELECT {COPIED.format(t='t')} "
            "FROM core_transition t JOIN pipelines_deal d ON d.id = t.record_id "
            "WHERE t.entity = 'deal' AND d.archived_at IS NULL")


def rebuild(session) -> None:
    """Make every row again from the history, in the session's transaction (the caller commits):
    after a restore of some tables alone, or to check the triggers."""
    session.execute(FunnelStay.__table__.delete())
    session.execute(text(rebuild_sql()))
