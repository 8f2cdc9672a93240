"""The index of every phone and email of people and organisations (``contacts_channel``).

Kept in step with the records from the entity_event and records_imported hooks, in the same
transaction as the change. Caller lookup and the duplicate check read it: one indexed equality
finds a number whether it is someone's main phone or their fourth.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import delete, insert, select
from sqlmodel import Session

from crmkit.core.contacts.models import Channel
from crmkit.core.transfer.bulk import Inserter

CONTACT_ENTITIES = ("person", "organization")
BATCH = 500
# The table, not the class: nothing loads Channel objects, and the ORM's bulk paths (identity-map
# sync on delete, per-row mapping on insert) cost several times the statements themselves.
TABLE = Channel.__table__


def values_of(record: Any) -> Iterator[tuple[str, str]]:
    """(kind, value) for each phone and email of a record, main ones first, without repeats."""
    seen = set()
    for kind, main, others in (("phone", record.phone, record.other_phones), ("email", record.email, record.other_emails)):
        for value in [main, *(others or "").splitlines()]:
            value = (value or "").strip()
            if kind == "email":
                value = value.lower()
            if value and (kind, value) not in seen:
                seen.add((kind, value))
                yield kind, value


def sync(db: Session, entity_key: str, record: Any) -> None:
    """Replace the record's entries with its current phones and emails."""
    db.execute(delete(TABLE).where(TABLE.c.entity == entity_key, TABLE.c.record_id == record.id))
    rows = [{"kind": k, "value": v, "entity": entity_key, "record_id": record.id} for k, v in values_of(record)]
    if rows:
        db.execute(insert(TABLE), rows)


def sync_ids(db: Session, entity_key: str, model: type, ids: Iterable[int]) -> None:
    """The same for many records at once (after an import), in batches."""
    ids = list(ids)
    columns = select(model.id, model.phone, model.other_phones, model.email, model.other_emails)
    inserter = Inserter(db, TABLE)  # the driver's executemany of plain values
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        db.execute(delete(TABLE).where(TABLE.c.entity == entity_key, TABLE.c.record_id.in_(chunk)))
        rows = [
            {"kind": k, "value": v, "entity": entity_key, "record_id": record.id}
            for record in db.execute(columns.where(model.id.in_(chunk)))  # rows, not whole objects
            if any(record[1:])  # values_of finds nothing in a record without phones and emails
            for k, v in values_of(record)
        ]
        inserter.insert(rows)


def owners_of(db: Session, kind: str, values: Iterable[str]) -> list[tuple[str, int, str]]:
    """(entity, record id, value) of every person and organisation holding one of the values."""
    values = [v for v in values if v]
    if not values:
        return []
    statement = select(Channel.entity, Channel.record_id, Channel.value).where(
        Channel.kind == kind, Channel.value.in_(values)
    )
    return [tuple(row) for row in db.execute(statement)]
