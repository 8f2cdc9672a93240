"""Running totals of deals per stage, owner, currency and closing day, kept by the database itself
so a board's column totals read a few hundred rows however many deals there are.

The board's columns show the count, sum and weighted sum of the open deals and of those closed in
the last ``board_data.CLOSED_DAYS`` days. Summing those deals is a query that grows with a team's
closing rate (~37,500 index entries at 1M deals). Instead ``pipelines_deal_total`` holds, per
(stage, UTC day of ``closed_at``, owner, currency), the number of unarchived deals, how many have
an amount, the amount in cents, the cents of those without a probability of their own (weighted by
the stage's), the cents times the deal's own probability and the final amounts won in cents (what
plan and fact sums per owner and day). Open deals have day 0.

Triggers on ``pipelines_deal`` keep it, in the statement's own transaction, whatever writes the
deal: ``Records``, the import, a merge, a bulk UPDATE, a DELETE or raw SQL. An update takes the
old row's contribution off and adds the new one (only when a column the totals read changed);
on PostgreSQL it touches the two rows in key order, so two moves crossing each other cannot
deadlock. Cents are integers on both engines, so the totals are exact (SQLite would sum NUMERIC
as floating point). The migration ``b1c2d3e4f5a6`` made the table, its triggers and the rows of
the deals that existed; ``rebuild`` makes the rows again from the deals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import BigInteger, Column, PrimaryKeyConstraint, func, select, text, union_all
from sqlmodel import Field, SQLModel

EPOCH = date(1970, 1, 1)
CENTS = Decimal(100)
KEY = ("stage_id", "day", "owner_id", "currency")
SUMMED = ("deals", "amounts", "amount", "unweighted", "weighted", "won")


class DealTotal(SQLModel, table=True):
    """One bucket of deals: the primary key leads with the stage and the day, so a column's open
    deals (day 0) and its last month of closings are one short range each. On PostgreSQL the
    key's index holds the sums too (INCLUDE), so the board reads that range from the index alone:
    a bucket's row is rewritten by every write of its deals, and at 1M deals a month's 600 rows of
    a closed column lay on ~500 pages (migration f3c4d5e6a7b8)."""

    __tablename__ = "pipelines_deal_total"
    __table_args__ = (PrimaryKeyConstraint(*KEY, postgresql_include=list(SUMMED)),)

    stage_id: int
    day: int  # days since 1970-01-01 of closed_at (UTC); 0: not closed
    owner_id: int  # 0: no owner
    currency: str = Field(max_length=3)
    deals: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    amounts: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))  # deals with an amount
    amount: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))  # cents
    unweighted: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))  # cents, no own probability
    weighted: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))  # cents x own probability
    won: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0, server_default="0"))  # won_amount, cents


def day_of(moment: datetime) -> int:
    """The bucket of a closing moment, as the triggers compute it."""
    return (moment.astimezone(UTC).date() - EPOCH).days


def day_start(day: int) -> datetime:
    return datetime.combine(EPOCH + timedelta(days=day), time(0), UTC)


@dataclass
class Sums:
    """What a column's figures are made of, for one stage and currency (money in Decimal)."""

    deals: int = 0
    amounts: int = 0
    amount: Decimal = Decimal(0)
    unweighted: Decimal = Decimal(0)  # the amount of deals weighted by the stage's probability
    weighted: Decimal = Decimal(0)  # the sum of amount x the deal's own probability

    def add(self, other: Sums) -> None:
        self.deals += other.deals
        self.amounts += other.amounts
        self.amount += other.amount
        self.unweighted += other.unweighted
        self.weighted += other.weighted


def read(session, open_ids: list[int], closed_ids: list[int], after_day: int, owners) -> dict[tuple[int, str], Sums]:
    """Per (stage, currency): the kept totals of the open stages' deals and of the closed stages'
    deals closed on a day after ``after_day``; ``owners``: the owners to count (None: all). One
    primary key range per stage, in a UNION ALL: given an IN list or an OR of the stages, SQLite
    scans the whole table (every day of every closed stage)."""
    table = DealTotal.__table__.c
    columns = (table.stage_id, table.currency, table.deals, table.amounts, table.amount, table.unweighted, table.weighted)
    ranges = [select(*columns).where(table.stage_id == stage) for stage in open_ids]
    ranges += [select(*columns).where(table.stage_id == stage, table.day > after_day) for stage in closed_ids]
    if not ranges:
        return {}
    if owners is not None:
        ranges = [part.where(table.owner_id.in_(sorted(owners) or [-1])) for part in ranges]
    rows = union_all(*ranges).subquery("kept") if len(ranges) > 1 else ranges[0].subquery("kept")
    statement = select(rows.c.stage_id, rows.c.currency, func.sum(rows.c.deals), func.sum(rows.c.amounts), func.sum(rows.c.amount),
                       func.sum(rows.c.unweighted), func.sum(rows.c.weighted))
    statement = statement.group_by(rows.c.stage_id, rows.c.currency).having(func.sum(rows.c.deals) != 0)
    return {(stage, currency): Sums(int(deals), int(amounts), Decimal(int(amount)) / CENTS, Decimal(int(unweighted)) / CENTS,
                                    Decimal(int(weighted)) / CENTS)
            for stage, currency, deals, amounts, amount, unweighted, weighted in session.execute(statement)}


SQLITE_DAY = "CASE WHEN {r}.closed_at IS NULL THEN 0 ELSE CAST(julianday(substr({r}.closed_at, 1, 10)) - 2440587.5 AS INTEGER) END"
SQLITE_CENTS = "coalesce(CAST(round({r}.amount * 100) AS INTEGER), 0)"
SQLITE_WON = "coalesce(CAST(round({r}.won_amount * 100) AS INTEGER), 0)"


def rebuild_sql(dialect: str) -> str:
    """One INSERT ... SELECT of every bucket from the deals (the table empty before)."""
    if dialect == "postgresql":
        day = "coalesce(CAST(timezone('UTC', closed_at) AS date) - DATE '1970-01-01', 0)"
        cents = "coalesce(CAST(round(amount * 100) AS bigint), 0)"
        won = "coalesce(CAST(round(won_amount * 100) AS bigint), 0)"
    else:
        day, cents = SQLITE_DAY.format(r="pipelines_deal"), SQLITE_CENTS.format(r="pipelines_deal")
        won = SQLITE_WON.format(r="pipelines_deal")
    return (
        "INSERT INTO pipelines_deal_total (stage_id, day, owner_id, currency, deals, amounts, amount, unweighted, weighted, won) "
        f"SELECT stage_id, {day}, coalesce(owner_id, 0), currency, count(*), count(amount), sum({cents}), "
        f"sum(CASE WHEN probability IS NULL THEN {cents} ELSE 0 END), sum({cents} * coalesce(probability, 0)), sum({won}) "
        f"FROM pipelines_deal WHERE archived_at IS NULL GROUP BY stage_id, {day}, coalesce(owner_id, 0), currency"
    )


def rebuild(session) -> None:
    """Make every bucket again from the deals, in the session's transaction (the caller commits):
    after a restore of ``pipelines_deal`` alone, or to check the triggers."""
    session.execute(DealTotal.__table__.delete())
    session.execute(text(rebuild_sql(session.get_bind().dialect.name)))
