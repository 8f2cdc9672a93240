"""The sales funnel in SQL, from the stored moves of deals: ``pipelines_funnel_stay`` (the moves
of unarchived deals with the deal's columns and each stay's end, kept by triggers: reports/stays.py),
for a period and for the stage each deal was in at a date.

A deal *enters* a stage when a transition row names the stage as its target: the row written when
the deal is created in it, or any later move. For a pipeline and a period ``[start, end)``:

- **entered**: the deals (each once) that entered each stage of the pipeline in the period;
- **time in stage**: each stay that began in the period in an open stage lasts until the deal's
  next move (the ``seconds`` its next move stored on the row), or until ``now`` while it is still
  there (as the deal page's "time in each state"); its average and its median (PostgreSQL's
  ``percentile_cont``; on SQLite the middle one or two of the open stages' ordered stays);
- **closings**: the deals that entered a won stage and those that entered a lost stage in the
  period; the won ones' average final amount in one currency and their cycle (creation to the
  last win in the period).

Everything is grouped by a *key*: nothing (the whole funnel), the deal's owner, the owner's
department or the department's office. What the reader sees and the filters chose come in as
conditions on the kept stays, so visibility is part of the same statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, null, select, union_all

from crmkit.core.access.models import Department
from crmkit.core.auth.models import User
from crmkit.core.pipelines.reports.stays import FunnelStay
from crmkit.entities.workflow import seconds_between

DIMENSIONS = ("owner", "department", "office")
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


def stays_keyed(dimension: str | None):
    """``(FROM clause, key)``: the kept stays (``pipelines_funnel_stay``, one row per move of an
    unarchived deal with the deal's owner, source, pipeline and amounts) and the column they are
    grouped by (None for the whole funnel); the owner's department and office are joined from the
    small users' table."""
    if dimension is None:
        return S, None
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


def key_columns(key) -> list:
    """The key as an inner SELECT's column: none for the whole funnel (a constant grouped on would
    cost SQLite a sort of every row)."""
    return [] if key is None else [key.label("key")]


def key_of(rows, key) -> tuple[Any, list]:
    """``(the key column of an outer SELECT over rows, what it groups by)``: 0 and nothing for the
    whole funnel."""
    return (literal(0).label("key"), []) if key is None else (rows.c.key, [rows.c.key])


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


def stays_in(dimension: str | None, scope: Sequence[Any], stage_ids: Sequence[int], start: datetime | None,
             end: datetime | None, *columns, name: str = "stays"):
    """``(subquery, key)``: the kept stays begun in ``stage_ids`` in the period that the reader
    counts (``scope``), with their key (none for the whole funnel) and ``columns``."""
    source, key = stays_keyed(dimension)
    statement = select(*key_columns(key), *columns).select_from(source).where(*scope, entered_in(stage_ids, start, end))
    return statement.subquery(name), key


def entry_statement(scope: Sequence[Any], stages: Sequence[StageRef], start: datetime | None, end: datetime | None,
                    dimension: str | None = None) -> Select:
    """Per key and stage: the deals that entered it in the period, without the times in stage
    (what the side by side shows). Columns: key, stage (its id), entered."""
    stays, key = stays_in(dimension, scope, [s.id for s in stages], start, end, S.c.deal_id.label("record_id"),
                          S.c.stage_id.label("stage"))
    outer_key, by = key_of(stays, key)
    return select(outer_key, stays.c.stage, func.count(stays.c.record_id.distinct()).label("entered")).group_by(
        *by, stays.c.stage)


def stage_statement(dialect: str, scope: Sequence[Any], stages: Sequence[StageRef], start: datetime | None,
                    end: datetime | None, now: datetime, dimension: str | None = None) -> Select:
    """Per key and stage: the deals that entered it in the period, and the average and median
    seconds of the stays in open stages that began then. ``scope``: the conditions on the kept
    stays of the deals the reader counts (``Context.conditions`` over ``pipelines_funnel_stay``).
    Columns: key, stage (its id), entered, avg_seconds, median_seconds."""
    seconds = case((S.c.stage_id.in_(ids(stages, "open")), stay_seconds(dialect, now)), else_=null())
    stays, key = stays_in(dimension, scope, [s.id for s in stages], start, end, S.c.deal_id.label("record_id"),
                          S.c.stage_id.label("stage"), seconds.label("seconds"))
    outer_key, by = key_of(stays, key)
    grouped = select(outer_key, stays.c.stage, func.count(stays.c.record_id.distinct()).label("entered"),
                     func.avg(stays.c.seconds).label("avg_seconds")).group_by(*by, stays.c.stage)
    if dialect == "postgresql":
        return grouped.add_columns(func.percentile_cont(0.5).within_group(stays.c.seconds).label("median_seconds"))
    counts = grouped.subquery("counts")
    timed, _ = stays_in(dimension, scope, ids(stages, "open"), start, end, S.c.stage_id.label("stage"),
                        stay_seconds(dialect, now).label("seconds"), name="open_stays")
    middle = middle_seconds(timed, key)
    same = [middle.c.stage == counts.c.stage] + ([] if key is None else [middle.c.key.is_not_distinct_from(counts.c.key)])
    return select(*counts.c, middle.c.median_seconds).outerjoin(middle, and_(*same))


def middle_seconds(stays, key):
    """SQLite's median of each key and stage's ``seconds`` (``stays``: the open stages' entries
    with their length), as a subquery (key, stage, median_seconds): the mean of the middle one
    (odd count) or two (even) of the ordered lengths. Only those rows are sorted, not every entry."""
    part = ([] if key is None else [stays.c.key]) + [stays.c.stage]
    rank = func.row_number().over(partition_by=part, order_by=stays.c.seconds)
    # the same window as the rank's, the whole partition as its frame: one sort serves both
    count = func.count().over(partition_by=part, order_by=stays.c.seconds, rows=(None, None))
    ranked = select(*part, stays.c.seconds, rank.label("rank"), count.label("counted")).subquery("ranked")
    middle = ranked.c.rank.in_([(ranked.c.counted + 1) // 2, (ranked.c.counted + 2) // 2])
    outer_key, by = key_of(ranked, key)
    return (select(outer_key, ranked.c.stage, func.avg(ranked.c.seconds).label("median_seconds"))
            .where(middle).group_by(*by, ranked.c.stage).subquery("middle"))


def closing_statement(dialect: str, scope: Sequence[Any], stages: Sequence[StageRef], start: datetime | None,
                      end: datetime | None, currency: str, dimension: str | None = None) -> Select:
    """Per key: the deals won and lost in the period, the won ones' total final amount in
    ``currency`` and how many had one, and their average cycle in seconds. Columns: key, won, lost,
    won_total, won_counted, cycle_seconds."""
    source, key = stays_keyed(dimension)
    won, lost = ids(stages, "won"), ids(stages, "lost")
    per_deal = (
        select(*key_columns(key), S.c.deal_id, S.c.created_at, S.c.won_amount, S.c.currency,
               func.max(case((S.c.stage_id.in_(won), S.c.at))).label("won_at"),
               func.max(case((S.c.stage_id.in_(lost), 1))).label("lost"))
        .select_from(source)
        .where(*scope, entered_in(won + lost, start, end))
        .group_by(*([] if key is None else [key]), S.c.deal_id, S.c.created_at, S.c.won_amount, S.c.currency)
        .subquery("closings")
    )
    won_amount = case((and_(per_deal.c.won_at.is_not(None), per_deal.c.currency == currency), per_deal.c.won_amount))
    cycle = case((per_deal.c.won_at.is_not(None), seconds_between(dialect, per_deal.c.created_at, per_deal.c.won_at)))
    outer_key, by = key_of(per_deal, key)
    return (
        select(outer_key, func.count(per_deal.c.won_at).label("won"), func.count(per_deal.c.lost).label("lost"),
               func.sum(won_amount).label("won_total"), func.count(won_amount).label("won_counted"),
               func.avg(cycle).label("cycle_seconds"))
        .group_by(*by)
    )


def placed(scope: Sequence[Any], stage_ids: Sequence[int], moment: datetime, dimension: str | None = None):
    """``(subquery, key)``: the deals that were in one of ``stage_ids`` at ``moment``, with that
    stage, their amount and currency: the kept stays that span the moment (begun at or before it and not
    left by then: ``left_at`` None or later), two ranges of ``ix_pipelines_funnel_stay_held`` per
    stage and no deal row. A deal's stay ends where its next move begins, so the stay found is
    the target of its last move up to ``moment``; a deal not yet created then has none."""
    source, key = stays_keyed(dimension)
    began = (*scope, S.c.stage_id.in_(list(stage_ids)), S.c.at <= moment)
    columns = (*key_columns(key), S.c.deal_id, S.c.stage_id.label("stage"), S.c.amount, S.c.currency)
    held = union_all(
        select(*columns).select_from(source).where(*began, S.c.left_at.is_(None)),
        select(*columns).select_from(source).where(*began, S.c.left_at > moment),
    ).subquery("placed")
    return held, key


def as_of_statement(scope: Sequence[Any], stages: Sequence[StageRef], moment: datetime, currency: str,
                    dimension: str | None = None) -> Select:
    """Per key and open stage: the deals that were in it at ``moment`` (the target of their last
    move up to then) and their amount in ``currency``. ``scope``: the conditions on the kept stays
    of the deals the reader counts. Columns: key, stage, deals, amount."""
    then, key = placed(scope, ids(stages, "open"), moment, dimension)
    outer_key, by = key_of(then, key)
    amount = case((then.c.currency == currency, then.c.amount))
    return select(outer_key, then.c.stage, func.count().label("deals"), func.sum(amount).label("amount")).group_by(
        *by, then.c.stage)


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


def held_members(scope: Sequence[Any], stage_id: int, moment: datetime, currency: str | None = None) -> Select:
    """The ids of the deals that were in ``stage_id`` at ``moment``; with ``currency``, those with
    an amount in it."""
    then, _ = placed(scope, [stage_id], moment)
    statement = select(then.c.deal_id)
    if currency is not None:
        statement = statement.where(then.c.currency == currency, then.c.amount.is_not(None))
    return statement
