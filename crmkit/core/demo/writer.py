"""Writing demo records in bulk, ending exactly where the forms and the import would.

Each record's input is loaded through its entity's schema (as ``Records.validate`` does: phones to E.164
with ``phones_typed`` kept, emails normalised, IIN and BIN checked, column lengths), inserted
with one multi-row INSERT per batch, given its "create" history entry, and announced through
the records_imported hook, which keeps the search index and the phone and email index in step.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from flask import current_app
from marshmallow import Schema, ValidationError
from pydantic_core import PydanticUndefined
from sqlalchemy import func, insert, select
from sqlmodel import Session

from crmkit.entities import columns as limits
from crmkit.entities.declaration import EntityType
from crmkit.entities.errors import Invalid
from crmkit.entities.history import Change, diff
from crmkit.validation import translate_messages

BATCH = 500
SYSTEM = {"version": 1, "archived_at": None}


class Writer:
    def __init__(self, db: Session, actor: Any):
        self.db = db
        self.actor = actor
        self.pm = current_app.extensions["crmkit"].pm
        self.entities = current_app.extensions["crmkit"].entities
        self.written: dict[str, int] = {}

    def entity(self, key: str) -> EntityType:
        return self.entities.get(key)

    def write(self, key: str, items: Iterable[tuple[dict[str, Any], dict[str, Any]]]) -> list[tuple[int, dict[str, Any]]]:
        """Write ``(input, columns)`` pairs: input as a form would send it, columns as the app sets them
        (owner, creator, timestamps). Returns each record's id with its stored values, in order."""
        entity = self.entity(key)
        schema = entity.schema()  # one instance for every record: building one costs more than a load
        defaults = model_defaults(entity.model)
        written: list[tuple[int, dict[str, Any]]] = []
        batch: list[tuple[dict[str, Any], dict[str, Any]]] = []
        for data, columns in items:
            values = validate(entity, schema, as_input(data))
            batch.append((values, {**defaults, **values, **SYSTEM, "extra": {}, **columns}))
            if len(batch) >= BATCH:
                written += self._flush(entity, batch)
                batch = []
        if batch:
            written += self._flush(entity, batch)
        return written

    def _flush(self, entity: EntityType, batch: list[tuple[dict[str, Any], dict[str, Any]]]) -> list[tuple[int, dict[str, Any]]]:
        ids = self._insert(entity.model.__table__, [row for _values, row in batch])
        history = [
            {"entity": entity.key, "record_id": record_id, "action": "create", "user_id": row["created_by_id"],
             "at": row["created_at"], "changes": diff({}, values)}
            for record_id, (values, row) in zip(ids, batch, strict=True)
        ]
        self.db.execute(insert(Change.__table__), history)
        self.pm.hook.records_imported(entity=entity, created_ids=ids, updated_ids=[], user=self.actor)
        self.written[entity.key] = self.written.get(entity.key, 0) + len(ids)
        return [(record_id, row) for record_id, (_values, row) in zip(ids, batch, strict=True)]


    def _insert(self, table, rows: list[dict[str, Any]]) -> list[int]:
        """One multi-row INSERT; the new ids in the order of ``rows``.

        PostgreSQL returns them in order. SQLite would insert row by row to do so; instead its
        executemany is used, whose rows take the ids above the highest in order: a single writer
        holds the database until this transaction ends, and the count check catches anything else.
        """
        if self.db.get_bind().dialect.name != "sqlite":
            statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
            return list(self.db.execute(statement, rows).scalars())
        highest = self.db.execute(select(func.max(table.c.id))).scalar() or 0
        self.db.execute(insert(table), rows)
        ids = list(self.db.execute(select(table.c.id).where(table.c.id > highest).order_by(table.c.id)).scalars())
        if len(ids) != len(rows):
            raise RuntimeError(f"{table.name}: inserted {len(rows)} rows but found {len(ids)} new ones")
        return ids


def validate(entity: EntityType, schema: Schema, data: dict[str, Any]) -> dict[str, Any]:
    """What ``Records.validate`` checks (the entity's own schema, then the columns' limits)."""
    try:
        values = schema.load(data)
    except ValidationError as error:
        raise Invalid(translate_messages(error.messages)) from error
    if too_big := limits.problems(entity.model, values):
        raise Invalid(too_big)
    return values


def as_input(data: dict[str, Any]) -> dict[str, Any]:
    """Dates and moments as the ISO text a form or the API sends (moments with their offset)."""
    return {k: v.isoformat() if isinstance(v, (date, datetime)) else v for k, v in data.items()}


def model_defaults(model: type) -> dict[str, Any]:
    """The value each column gets when an input leaves it out, as creating the model would give it."""
    found = {}
    for name, info in model.model_fields.items():
        if name not in model.__table__.c or name == "id":
            continue
        if info.default_factory is not None:
            found[name] = info.default_factory()
        elif info.default is not PydanticUndefined:
            found[name] = info.default
    return found


def split(entity: EntityType, row: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A whole row as the schema's input (the fields given) and the columns the app sets itself
    (done_at, reminded_at...); a field left out is stored as None, as a blank one would be."""
    names = {name for name, f in entity.schema._declared_fields.items() if not f.dump_only}
    given = {k: v for k, v in row.items() if k in names and v is not None}
    return given, {k: v for k, v in row.items() if k not in names}
