"""What a merge moves that belongs to the core and to contacts: the merged record's history, the
people of a merged organisation, its branches, and rows of ``contacts_employment``.

Set-based UPDATEs, remembering the ids moved so an undo moves back exactly those (and only the
ones still pointing at the kept record). Moved records get a new version, so an edit form opened
before the merge can't silently point them back.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from crmkit import db as database
from crmkit.core.contacts.models import Employment, Organization, Person
from crmkit.db import utcnow
from crmkit.entities.history import Change

CHUNK = 500


def references(entity_key: str, kept_id: int) -> dict[str, tuple[Any, Any, Any]]:
    """Each kind of row moved: (model, column pointing at the record, extra condition)."""
    found: dict[str, tuple[Any, Any, Any]] = {"history": (Change, Change.record_id, Change.entity == entity_key)}
    if entity_key == "person":
        found["employment"] = (Employment, Employment.person_id, None)
    elif entity_key == "organization":
        found["people"] = (Person, Person.organization_id, None)
        found["branches"] = (Organization, Organization.parent_id, Organization.id != kept_id)
        found["employment"] = (Employment, Employment.organization_id, None)
    return found


def move(model: Any, column: Any, ids: list[int], target: int) -> None:
    values: dict[Any, Any] = {column: target}
    if hasattr(model, "version"):
        values.update({model.version: model.version + 1, model.updated_at: utcnow()})
    db = database.session()
    for start in range(0, len(ids), CHUNK):
        statement = update(model).where(model.id.in_(ids[start : start + CHUNK])).values(values)
        db.execute(statement.execution_options(synchronize_session="fetch"))


def merged(entity_key: str, kept_id: int, merged_id: int) -> dict[str, list[int]] | None:
    db = database.session()
    moved = {}
    for name, (model, column, condition) in references(entity_key, kept_id).items():
        statement = select(model.id).where(column == merged_id)
        if condition is not None:
            statement = statement.where(condition)
        ids = list(db.execute(statement.order_by(model.id)).scalars())
        if ids:
            move(model, column, ids, kept_id)
            moved[name] = ids
    return moved or None


def unmerged(entity_key: str, kept_id: int, merged_id: int, moved: dict[str, list[int]]) -> None:
    db = database.session()
    for name, (model, column, condition) in references(entity_key, kept_id).items():
        wanted = moved.get(name) or []
        still = []
        for start in range(0, len(wanted), CHUNK):  # only what still points at the kept record
            statement = select(model.id).where(model.id.in_(wanted[start : start + CHUNK]), column == kept_id)
            still.extend(db.execute(statement).scalars())
        move(model, column, still, merged_id)
