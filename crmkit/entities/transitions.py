"""The stored moves of records through their workflow: one row per transition (from, to, who,
when), so the time a record spent in each state, and how records flow between states, are SQL
queries over an indexed table rather than a reading of history text."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from crmkit.db import utcnow


class Transition(SQLModel, table=True):
    """One move of one record from ``from_state`` to ``to_state`` of its workflow field.

    States are stored as text (a stage id of a pipeline is stored as its digits). The first row of a
    record has ``from_state`` None: the state it was created in.
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


def new_row(model: type[SQLModel], **values) -> SQLModel:
    """A row to INSERT, made the way SQLAlchemy makes the rows it loads: without pydantic's
    validation of each value, which is most of the cost of a small row. For rows the framework
    writes itself from values it has checked (a transition, a history entry); every column
    without a database default must be given."""
    row = model.__mapper__.class_manager.new_instance()
    row.__dict__.update(values)
    return row
