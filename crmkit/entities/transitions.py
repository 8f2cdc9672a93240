"""The stored moves of records through their workflow: one row per transition (from, to, who,
when), so the time a record spent in each state, and how records flow between states, are SQL
queries over an indexed table rather than a reading of history text.

Each row also keeps when its stay ended (``left_at``, None while the record is still in that state)
and how long it lasted (``seconds``): set by the record's next move, in its transaction, so a report
over thousands of stays reads them from the row instead of seeking each record's next move."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Index, Integer, bindparam, cast, func, insert, update
from sqlmodel import Field, Session, SQLModel

from crmkit.db import utcnow


class Transition(SQLModel, table=True):
    """One move of one record from ``from_state`` to ``to_state`` of its workflow field.

    States are stored as text (a stage id of a pipeline is stored as its digits). The first row of a
    record has ``from_state`` None: the state it was created in. ``left_at`` is the ``at`` of the
    record's next row (by time, then id) and ``seconds`` the stay's length; both None on the last.
    """

    __tablename__ = "core_transition"
    __table_args__ = (
        Index("ix_core_transition_record", "entity", "record_id", "at"),
        Index("ix_core_transition_state", "entity", "to_state", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    entity: str = Field(max_length=100)
    record_id: int
    field: str = Field(max_length=50)
    from_state: str | None = Field(default=None, max_length=50)
    to_state: str = Field(max_length=50)
    user_id: int | None = Field(default=None, foreign_key="core_user.id")
    at: datetime = Field(default_factory=utcnow)
    left_at: datetime | None = Field(default=None)
    seconds: int | None = Field(default=None)


def new_row(model: type[SQLModel], **values) -> SQLModel:
    """A row to INSERT, made the way SQLAlchemy makes the rows it loads: without pydantic's
    validation of each value, which is most of the cost of a small row. For rows the framework
    writes itself from values it has checked (a transition, a history entry); every column
    without a database default must be given."""
    row = model.__mapper__.class_manager.new_instance()
    row.__dict__.update(values)
    return row


def insert_row(db: Session, model: type[SQLModel], **values) -> None:
    """INSERT a row the framework writes from checked values and doesn't read back in the same
    transaction (a move, a history entry) on the session's connection, in its transaction: a
    move's history and transition rows through the unit of work cost it a tenth of its time.
    Every column without a database default must be given, as with ``new_row``."""
    db.connection().execute(_inserting(model), values)


@cache
def _inserting(model: type[SQLModel]):
    return insert(model.__table__)


def seconds_between(dialect: str, start, end):
    """Whole seconds from ``start`` to ``end``, in the engine's own date arithmetic."""
    if dialect == "sqlite":
        elapsed = (func.julianday(end) - func.julianday(start)) * 86400
    else:
        elapsed = func.extract("epoch", end - start)
    return cast(func.round(elapsed), Integer)


def close_stays(db: Session, entity: str, record_ids: Sequence[int], at: datetime) -> None:
    """End the current stay of each record at ``at``, before its next row is added: one UPDATE of
    the rows with no ``left_at`` yet, found through ``ix_core_transition_record`` (entity,
    record_id, ...). Runs on the session's connection, in its transaction, so a move rolled back
    leaves the stay open; it does not flush the session (the record's own UPDATE flushes after,
    where its stale version is caught)."""
    if not record_ids:
        return
    connection = db.connection()
    dialect = connection.dialect.name
    if len(record_ids) == 1:
        connection.execute(closing(dialect), {"of_entity": entity, "of_record": record_ids[0], "ended": at})
        return
    table = Transition.__table__
    when = bindparam("ended", at, type_=table.c.at.type)
    connection.execute(update(table)
                       .where(table.c.entity == entity, table.c.record_id.in_(list(record_ids)), table.c.left_at.is_(None))
                       .values(left_at=when, seconds=seconds_between(dialect, table.c.at, when)))


@cache
def closing(dialect: str):
    """The UPDATE ending one record's stay, built once per engine (a move runs it every time)."""
    table = Transition.__table__
    when = bindparam("ended", type_=table.c.at.type)
    return (update(table)
            .where(table.c.entity == bindparam("of_entity"), table.c.record_id == bindparam("of_record"),
                   table.c.left_at.is_(None))
            .values(left_at=when, seconds=seconds_between(dialect, table.c.at, when)))


def chained(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of moves to INSERT together (dicts with ``entity``, ``record_id`` and ``at``), each
    given ``left_at`` and ``seconds`` from the same record's next row among them (by time, then
    their order); a record's last row stays open. For writers that store a record's history at
    once (demo data, benchmarks) or several moves of a record in one statement (imports)."""
    rows = list(rows)
    last: dict[tuple[str, int], dict[str, Any]] = {}
    for row in sorted(rows, key=lambda r: r["at"]):  # stable: equal times keep their order
        row.setdefault("left_at", None)
        row.setdefault("seconds", None)
        record = (row["entity"], row["record_id"])
        if (previous := last.get(record)) is not None:
            previous["left_at"] = row["at"]
            previous["seconds"] = round((row["at"] - previous["at"]).total_seconds())
        last[record] = row
    return rows
