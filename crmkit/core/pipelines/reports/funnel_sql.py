"""The sales funnel in SQL, from the stored moves of deals: ``pipelines_funnel_stay`` (the moves
of unarchived deals with the deal's columns, kept by triggers: reports/stays.py) for a period,
``core_transition`` for the stage each deal was in at a date.

A deal *enters* a stage when a transition row names the stage as its target: the row written when
the deal is created in it, or any later move. For a pipeline and a period ``[start, end)``:

- **entered**: the deals (each once) that entered each stage of the pipeline in the period;
- **time in stage**: each stay that began in the period in an open stage lasts until the deal's
  next move (the ``seconds`` its next move stored on the row), or until ``now`` while it is still
  there (as the deal page's "time in each state"); its average and its median (PostgreSQL's
  ``percentile_cont``; on SQLite the middle one or two rows by ``ROW_NUMBER`` over ``COUNT``);
- **closings**: the deals that entered a won stage and those that entered a lost stage in the
  period; the won ones' average final amount in one currency and their cycle (creation to the
  last win in the period).

Everything is grouped by a *key*: nothing (the whole funnel), the deal's owner, the owner's
department or the department's office. What the reader sees and the filters chose come in as
conditions (on the kept stays) or a SELECT of deals (as of a date), so visibility is part of the
same statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, null, or_, select

from crmkit.core.access.models import Department
from crmkit.core.auth.models import User
from crmkit.core.pipelines.models import Deal
from crmkit.core.pipelines.reports.stays import FunnelStay
from crmkit.entities.transitions import Transition
from crmkit.entities.workflow import seconds_between

DEAL = "deal"
DIMENSIONS = ("owner", "department", "office")
T = Transition.__table__
S = FunnelStay.__table__


@dataclass(frozen=True)
class StageRef:
    """What the SQL needs of a stage: its id (the transition's state is its digits) and kind."""

    id: int
    kind: str

    @property
    def key(self) -> str:
        return str(self.id)


def keys(stages: Sequence[StageRef], *kinds: str) -> list[str]:
    return [stage.key for stage in stages if stage.kind in kinds]


def ids(stages: Sequence[StageRef], *kinds: str) -> list[int]:
    return [stage.id for stage in stages if stage.kind in kinds]


def keyed(deals: Select, dimension: str | None):
    """The deals of ``deals`` (a SELECT of Deal rows: visibility and filters already applied) with
    the column ``key`` they are grouped by, as a subquery."""
    table = Deal.__table__
    columns = [table.c.id, table.c.created_at, table.c.amount, table.c.won_amount, table.c.currency]
    if dimension is None:
        return deals.with_only_columns(*columns, literal(0).label("key")).subquery("deals")
    if dimension == "owner":
        return deals.with_only_columns(*columns, table.c.owner_id.label("key")).subquery("deals")
    owner = User.__table__
    statement = deals.outerjoin(owner, owner.c.id == table.c.owner_id)
    if dimension == "department":
        return statement.with_only_columns(*columns, owner.c.department_id.label("key")).subquery("deals")
    if dimension == "office":
        department = Department.__table__
        statement = statement.outerjoin(department, department.c.id == owner.c.department_id)
        return statement.with_only_columns(*columns, department.c.office_id.label("key")).subquery("deals")
    raise ValueError(f"unknown dimension {dimension!r}; one of {', '.join(DIMENSIONS)}")


def stays_keyed(dimension: str | None):
    """``(FROM clause, key)``: the kept stays (``pipelines_funnel_stay``, one row per move of an
    unarchived deal with the deal's owner, source, pipeline and amounts) and the column they are
    grouped by; the owner's department and office are joined from the small users' table."""
    if dimension is None:
        return S, literal(0)
    if dimension == "owner":
        return S, S.c.owner_id
    owner = User.__table__
    source = S.outerjoin(owner, owner.c.id == S.c.owner_id)
    if dimension == "department":
        return source, owner.c.department_id
    if dimension == "office":
        department = Department.__table__
        return source.outerjoin(department, department.c.id == owner.c.department_id), department.c.office_id
    raise ValueError(f"unknown dimension {dimension!r}; one of {', '.join(DIMENSIONS)}")


def entered_in(stage_ids: Sequence[int], start: datetime | None, end: datetime | None):
    """Stays begun in ``stage_ids`` in ``[start, end)`` (None: unbounded): one range of
    ``ix_pipelines_funnel_stay_entries`` per stage, which holds every column the funnel reads."""
    found = [S.c.stage_id.in_(list(stage_ids))]
    if start is not None:
        found.append(S.c.at >= start)
    if end is not None:
        found.append(S.c.at < end)
    return and_(*found)


def stay_seconds(dialect: str, now: datetime):
    """The length of a stay: stored once the deal moved on (``seconds``), else counted up to ``now``."""
    return func.coalesce(S.c.seconds, seconds_between(dialect, S.c.at, literal(now, S.c.at.type)))


def median(dialect: str, value, partition: Sequence[Any], inner):
    """``(inner with a rank, the median's expression)``: percentile_cont on PostgreSQL; on SQLite
    the mean of the middle one (odd count) or two (even) of the ordered non-NULL values."""
    if dialect == "postgresql":
        return inner, func.percentile_cont(0.5).within_group(value)
    rank = func.row_number().over(partition_by=partition, order_by=value)
    # the same window as the rank's, the whole partition as its frame: one sort serves both
    count = func.count(value).over(partition_by=partition, order_by=value, rows=(None, None))
    ranked = select(*inner.c, rank.label("rank"), count.label("counted")).subquery("ranked")
    middle = ranked.c.rank.in_([(ranked.c.counted + 1) // 2, (ranked.c.counted + 2) // 2])
    return ranked, func.avg(case((and_(middle, ranked.c[value.key].is_not(None)), ranked.c[value.key])))


def stage_statement(dialect: str, scope: Sequence[Any], stages: Sequence[StageRef], start: datetime | None,
                    end: datetime | None, now: datetime, dimension: str | None = None) -> Select:
    """Per key and stage: the deals that entered it in the period, and the average and median
    seconds of the stays in open stages that began then. ``scope``: the conditions on the kept
    stays of the deals the reader counts (``Context.conditions`` over ``pipelines_funnel_stay``).
    Columns: key, stage (its id), entered, avg_seconds, median_seconds."""
    source, key = stays_keyed(dimension)
    seconds = case((S.c.stage_id.in_(ids(stages, "open")), stay_seconds(dialect, now)), else_=null())
    stays = (
        select(key.label("key"), S.c.deal_id.label("record_id"), S.c.stage_id.label("stage"), seconds.label("seconds"))
        .select_from(source)
        .where(*scope, entered_in([s.id for s in stages], start, end))
        .subquery("stays")
    )
    source, middle = median(dialect, stays.c.seconds, (stays.c.key, stays.c.stage), stays)
    return (
        select(source.c.key, source.c.stage, func.count(source.c.record_id.distinct()).label("entered"),
               func.avg(source.c.seconds).label("avg_seconds"), middle.label("median_seconds"))
        .group_by(source.c.key, source.c.stage)
    )


def closing_statement(dialect: str, scope: Sequence[Any], stages: Sequence[StageRef], start: datetime | None,
                      end: datetime | None, currency: str, dimension: str | None = None) -> Select:
    """Per key: the deals won and lost in the period, the won ones' total and average final amount
    in ``currency`` and their average cycle in seconds. Columns: key, won, lost, won_total,
    won_average, cycle_seconds."""
    source, key = stays_keyed(dimension)
    won, lost = ids(stages, "won"), ids(stages, "lost")
    per_deal = (
        select(key.label("key"), S.c.deal_id, S.c.created_at, S.c.won_amount, S.c.currency,
               func.max(case((S.c.stage_id.in_(won), S.c.at))).label("won_at"),
               func.max(case((S.c.stage_id.in_(lost), 1))).label("lost"))
        .select_from(source)
        .where(*scope, entered_in(won + lost, start, end))
        .group_by(key, S.c.deal_id, S.c.created_at, S.c.won_amount, S.c.currency)
        .subquery("closings")
    )
    won_amount = case((and_(per_deal.c.won_at.is_not(None), per_deal.c.currency == currency), per_deal.c.won_amount))
    cycle = case((per_deal.c.won_at.is_not(None), seconds_between(dialect, per_deal.c.created_at, per_deal.c.won_at)))
    return (
        select(per_deal.c.key, func.count(per_deal.c.won_at).label("won"), func.count(per_deal.c.lost).label("lost"),
               func.sum(won_amount).label("won_total"), func.avg(won_amount).label("won_average"),
               func.avg(cycle).label("cycle_seconds"))
        .group_by(per_deal.c.key)
    )


def placed(deals: Select, moment: datetime, dimension: str | None = None):
    """The deals that may have been open at ``moment`` with the stage each was in then (None: not
    yet created), as a subquery. A deal whose closing (``closed_at``) is at or before ``moment``
    was closed then, since a reopen clears it and a later closing moves it on; only the others are
    looked up, each by one seek of ``ix_core_transition_record``."""
    table = Deal.__table__
    scoped = keyed(deals.where(or_(table.c.closed_at.is_(None), table.c.closed_at > moment)), dimension)
    then = (
        select(T.c.to_state)
        .where(T.c.entity == DEAL, T.c.record_id == scoped.c.id, T.c.at <= moment)
        .order_by(T.c.at.desc(), T.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return select(scoped.c.id, scoped.c.key, scoped.c.amount, scoped.c.currency, then.label("stage")).subquery("placed")


def as_of_statement(deals: Select, stages: Sequence[StageRef], moment: datetime, currency: str,
                    dimension: str | None = None) -> Select:
    """Per key and open stage: the deals that were in it at ``moment`` (the target of their last
    move up to then) and their amount in ``currency``. Columns: key, stage, deals, amount."""
    then = placed(deals, moment, dimension)
    amount = case((then.c.currency == currency, then.c.amount))
    return (
        select(then.c.key, then.c.stage, func.count().label("deals"), func.sum(amount).label("amount"))
        .where(then.c.stage.in_(keys(stages, "open")))
        .group_by(then.c.key, then.c.stage)
    )


def entered_members(scope: Sequence[Any], stage_ids: Sequence[int], start: datetime | None, end: datetime | None,
                    dimension: str | None = None, key: Any = None, currency: str | None = None) -> Select:
    """The ids of the deals behind an entry count (``stage_ids`` entered in the period), of one
    ``key`` when a ``dimension`` is given; with ``currency``, those won with an amount in it."""
    source, grouped = stays_keyed(dimension)
    statement = select(S.c.deal_id).select_from(source).where(*scope, entered_in(list(stage_ids), start, end))
    if dimension is not None:
        statement = statement.where(grouped.is_(None) if key is None else grouped == key)
    if currency is not None:
        statement = statement.where(S.c.currency == currency, S.c.won_amount.is_not(None))
    return statement


def held_members(deals: Select, stage_id: int, moment: datetime, currency: str | None = None) -> Select:
    """The ids of the deals that were in ``stage_id`` at ``moment``; with ``currency``, those with
    an amount in it."""
    then = placed(deals, moment)
    statement = select(then.c.id).where(then.c.stage == str(stage_id))
    if currency is not None:
        statement = statement.where(then.c.currency == currency, then.c.amount.is_not(None))
    return statement
