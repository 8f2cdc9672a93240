"""Activities counted per owner, kind and UTC hour, kept in the write's own transaction.

The activity report and the calls heatmap read these counts instead of the activity table: a
year of a busy team's calls is millions of rows, but only owners x hours of counts (see
docs/reports.md, "Activity"). What counts, at which moment:

- a call, an email or a meeting at ``happened_at`` (whatever its status, as the activity list
  shows it); a call's ``outcome`` splits it into answered (``answered``) and missed (``missed``,
  ``busy``, ``no_answer``);
- a task when it is done, at ``done_at``;
- nothing archived, and no notes.

Every write path keeps the counts exact: ``Records`` (through ``entity_event``: the old values
are read before the change is written, the new ones after) and imports (``records_imported``).
``crmkit activities rollup`` rebuilds them from the activity table after writes that bypassed
both (raw SQL, a restore of the table alone).

An hour is a whole number: hours since 1970-01-01 00:00 UTC. The owner is 0 for no owner.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import click
from sqlalchemy import Index, Integer, case, cast, delete, func, insert, literal, select
from sqlalchemy import inspect as inspect_state
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, SQLModel

from crmkit import db as database
from crmkit.core.activities.models import Activity
from crmkit.entities.history import Change
from crmkit.i18n import ngettext
from crmkit.i18n import lazy_gettext as _l

COUNTED_KINDS = ("call", "email", "meeting", "task")
MISSED = ("missed", "busy", "no_answer")
FIELDS = ("kind", "status", "owner_id", "happened_at", "done_at", "archived_at", "outcome")
NOBODY = 0
SECONDS = 3600


class ActivityHour(SQLModel, table=True):
    """How many activities of ``kind`` ``owner_id`` did in one UTC ``hour``; of calls, how many
    were answered and missed (the rest have no outcome)."""

    __tablename__ = "activities_hourly"
    __table_args__ = (
        # activity by employee over a long period: each kind's counts in owner order, from the index
        # alone, with no sort of every hour's row (SQLite at 3M activities: ~210 -> ~55 ms)
        Index("ix_activities_hourly_owners", "kind", "owner_id", "hour", "total", "answered", "missed"),
        {"sqlite_with_rowid": False},  # the key is the table: one B-tree, read in key order
    )

    kind: str = Field(primary_key=True, max_length=10)
    hour: int = Field(primary_key=True)
    owner_id: int = Field(primary_key=True)
    total: int = 0
    answered: int = 0
    missed: int = 0


Key = tuple[str, int, int]  # kind, hour, owner


def hour_of(moment: datetime) -> int:
    """Hours since the epoch of a stored moment (naive ones are UTC, as the database keeps them)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp()) // SECONDS


def counted(values: dict[str, Any]) -> tuple[Key, tuple[int, int, int]] | None:
    """The bucket an activity with these values counts in, and what it adds there; None: nowhere."""
    kind = values.get("kind")
    if values.get("archived_at") is not None or kind not in COUNTED_KINDS:
        return None
    if kind == "task":
        moment = values.get("done_at") if values.get("status") == "done" else None
    else:
        moment = values.get("happened_at")
    if moment is None:
        return None
    outcome = values.get("outcome") if kind == "call" else None
    key = (kind, hour_of(moment), values.get("owner_id") or NOBODY)
    return key, (1, int(outcome == "answered"), int(outcome in MISSED))


def apply(session, changes: Counter) -> None:
    """Add ``changes`` (key -> (total, answered, missed) deltas) to the counts, creating rows as
    needed in one statement per key (INSERT ... ON CONFLICT DO UPDATE, atomic under concurrency)."""
    dialect = session.get_bind().dialect.name
    make = pg_insert if dialect == "postgresql" else sqlite_insert
    table = ActivityHour.__table__
    for (kind, hour, owner), (total, answered, missed) in sorted(changes.items()):
        if not (total or answered or missed):
            continue
        statement = make(table).values(kind=kind, hour=hour, owner_id=owner, total=total, answered=answered, missed=missed)
        statement = statement.on_conflict_do_update(
            index_elements=["kind", "hour", "owner_id"],
            set_={"total": table.c.total + total, "answered": table.c.answered + answered, "missed": table.c.missed + missed},
        )
        session.execute(statement)
        if total < 0:  # the bucket may be empty now
            session.execute(delete(table).where(
                table.c.kind == kind, table.c.hour == hour, table.c.owner_id == owner, table.c.total <= 0
            ))


def add(changes: Counter, found: tuple[Key, tuple[int, int, int]] | None, sign: int) -> None:
    if found is not None:
        key, (total, answered, missed) = found
        old = changes.get(key, (0, 0, 0))
        changes[key] = (old[0] + sign * total, old[1] + sign * answered, old[2] + sign * missed)


# Records' writes: the counts before the change are taken at before_*, the new ones at after_*.
PENDING = "_crmkit_rollup_before"


def before_write(record: Activity) -> None:
    """Remember where the activity counted as stored (the committed values, before this change)."""
    state = inspect_state(record)
    if state.transient or state.pending:
        record.__dict__[PENDING] = None
        return
    stored = {}
    for name in FIELDS:
        history = state.attrs[name].history
        stored[name] = history.deleted[0] if history.deleted else getattr(record, name)
    record.__dict__[PENDING] = counted(stored)


def after_write(session, record: Activity) -> None:
    """Move the activity's count from where it was to where it is now."""
    changes: Counter = Counter()
    add(changes, record.__dict__.pop(PENDING, None), -1)
    add(changes, counted({name: getattr(record, name) for name in FIELDS}), +1)
    apply(session, Counter({k: v for k, v in changes.items() if any(v)}))


def imported(session, created_ids: list[int], updated_ids: list[int]) -> None:
    """An import's chunk: created activities are added; updated ones (their earlier values are
    gone) have their owners' counts rebuilt."""
    if created_ids:
        columns = [getattr(Activity, name) for name in FIELDS]
        changes: Counter = Counter()
        for start in range(0, len(created_ids), 1000):
            chunk = created_ids[start : start + 1000]
            for row in session.execute(select(*columns).where(Activity.id.in_(chunk))):
                add(changes, counted(dict(zip(FIELDS, row, strict=True))), +1)
        apply(session, changes)
    if updated_ids:
        owners = set(session.execute(select(Activity.owner_id).where(Activity.id.in_(updated_ids)).distinct()).scalars())
        rebuild(session, owners={o or NOBODY for o in owners | former_owners(session, updated_ids)})


def former_owners(session, ids: list[int]) -> set[int | None]:
    """Owners the import took these activities from: its history entries name the old owner."""
    entries = select(Change.changes).where(Change.entity == "activity", Change.record_id.in_(ids), Change.action == "update")
    return {changes["owner_id"][0] for changes in session.execute(entries.order_by(Change.id.desc()).limit(10 * len(ids))).scalars()
            if isinstance(changes, dict) and isinstance(changes.get("owner_id"), list)}


# rebuilding from the activity table
def hour_expression(session, column) -> Any:
    """``column`` as hours since the epoch, in SQL."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.floor(func.extract("epoch", column) / SECONDS), Integer)
    return cast(func.strftime("%s", column), Integer) // SECONDS


def rebuild(session, owners: set[int] | None = None) -> int:
    """Recount from the activity table (all of it, or these owners' rows); returns the rows written."""
    table = ActivityHour.__table__
    clear = delete(table)
    if owners is not None:
        clear = clear.where(table.c.owner_id.in_(owners))
    session.execute(clear)
    for kind in COUNTED_KINDS:
        if kind == "task":
            moment, alive = Activity.done_at, [Activity.status == "done", Activity.done_at.is_not(None)]
        else:
            moment, alive = Activity.happened_at, [Activity.happened_at.is_not(None)]
        hour = hour_expression(session, moment).label("hour")
        owner = func.coalesce(Activity.owner_id, literal(NOBODY)).label("owner_id")
        answered = func.sum(case((Activity.outcome == "answered", 1), else_=0)) if kind == "call" else literal(0)
        missed = func.sum(case((Activity.outcome.in_(MISSED), 1), else_=0)) if kind == "call" else literal(0)
        query = select(literal(kind), hour, owner, func.count(), answered, missed).where(
            Activity.kind == kind, Activity.archived_at.is_(None), *alive
        )
        if owners is not None:
            query = query.where(func.coalesce(Activity.owner_id, NOBODY).in_(owners))
        query = query.group_by(hour, owner)
        session.execute(insert(table).from_select(["kind", "hour", "owner_id", "total", "answered", "missed"], query))
    # counted, not the INSERTs' rowcount: psycopg reports -1 for an INSERT ... SELECT
    written = select(func.count()).select_from(table)
    if owners is not None:
        written = written.where(table.c.owner_id.in_(owners))
    return session.execute(written).scalar_one()


@click.group("activities", help=_l("Activities: the hourly counts the reports read."))
def command() -> None:
    pass


@command.command("recount", help=_l("Count the activities again, after writes that bypassed crmkit (raw SQL, a restore of the table alone)."))
def recount() -> None:
    session = database.session()
    written = rebuild(session)
    session.commit()
    click.echo(ngettext("%(num)d hourly count written.", "%(num)d hourly counts written.", written))
