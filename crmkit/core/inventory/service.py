"""Links between subjects (calls, leads, deals...) and inventory items, read and written with the
records' permissions when a user is given; without one, as the system (intake, imports, jobs)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import current_app
from sqlalchemy import delete, func, select

from crmkit import db as database
from crmkit.core.inventory.declaration import Inventory
from crmkit.core.inventory.models import InventoryLink
from crmkit.entities.errors import Invalid, NotFound
from crmkit.entities.service import Records
from crmkit.i18n import gettext as _

Item = tuple[str, int]


def declared() -> dict[str, Inventory]:
    """The running app's inventory entities by key (see hooks.init_app)."""
    return current_app.extensions.get("crmkit.inventory", {})


def declared_keys() -> list[str]:
    """The keys of the entities some plugin declares inventory (none: no "About objects" field)."""
    return list(declared())


def entity_of(key: str):
    return current_app.extensions["crmkit"].entities.get(key)


def visible(key: str, ids: Iterable[int], user: Any) -> set[int]:
    """Which of ``ids`` (records of ``key``) ``user`` sees; all of them for the system (None)."""
    ids = set(ids)
    if user is None or not ids:
        return ids
    return Records(entity_of(key), user).visible_ids(ids)


def check_subject(subject_entity: str, subject_id: int, user: Any) -> None:
    """A user links and unlinks the items of a record they may edit."""
    if user is None:
        return
    records = Records(entity_of(subject_entity), user)
    records.get(subject_id)  # NotFound for a record they don't see
    records.require("edit")


def link_items(subject_entity: str, subject_id: int, items: Iterable[Item], user: Any = None) -> list[Item]:
    """Say that the record is about ``items``; those already linked stay as they are. Returns the
    items newly linked. Raises ``Invalid`` for an item of no inventory entity or one the user can't
    see. In the current session: the caller commits."""
    wanted = list(dict.fromkeys((key, int(item_id)) for key, item_id in items))
    if not wanted:
        return []
    check_subject(subject_entity, subject_id, user)
    problems = [f"{key}:{item_id}" for key, item_id in wanted
                if key not in declared() or item_id not in visible(key, [item_id], user) or not exists(key, item_id)]
    if problems:
        raise Invalid({"items": [_("No such object: %(items)s.", items=", ".join(problems))]})
    session = database.session()
    have = set(items_of(subject_entity, subject_id))
    new = [item for item in wanted if item not in have]
    for key, item_id in new:
        session.add(InventoryLink(subject_entity=subject_entity, subject_id=subject_id, item_entity=key,
                                  item_id=item_id, created_by_id=getattr(user, "id", None)))
    session.flush()
    return new


def exists(key: str, item_id: int) -> bool:
    model = entity_of(key).model
    return database.session().execute(select(model.id).where(model.id == item_id)).first() is not None


def unlink_item(subject_entity: str, subject_id: int, item_entity: str, item_id: int, user: Any = None) -> bool:
    """Remove one link; True when there was one. In the current session: the caller commits."""
    check_subject(subject_entity, subject_id, user)
    if user is not None and item_id not in visible(item_entity, [item_id], user):
        raise NotFound(item_id)
    table = InventoryLink.__table__
    done = database.session().execute(delete(table).where(
        table.c.subject_entity == subject_entity, table.c.subject_id == subject_id,
        table.c.item_entity == item_entity, table.c.item_id == item_id))
    return done.rowcount > 0


def items_of(subject_entity: str, subject_id: int, user: Any = None) -> list[Item]:
    """The items a record is about, in the order they were linked (those ``user`` sees)."""
    table = InventoryLink.__table__
    rows = database.session().execute(
        select(table.c.item_entity, table.c.item_id)
        .where(table.c.subject_entity == subject_entity, table.c.subject_id == subject_id)
        .order_by(table.c.id)).all()
    if user is None:
        return [(row.item_entity, row.item_id) for row in rows]
    seen = {key: visible(key, [r.item_id for r in rows if r.item_entity == key], user)
            for key in {r.item_entity for r in rows} if key in declared()}
    return [(row.item_entity, row.item_id) for row in rows if row.item_id in seen.get(row.item_entity, ())]


def subjects_of(item_entity: str, item_id: int, subject_entity: str | None = None, limit: int | None = 50,
                user: Any = None) -> list[tuple[str, int, Any]]:
    """``(subject_entity, subject_id, linked_at)`` of the records about an item, newest first, at
    most ``limit``; with ``user``, only the subjects they see (the index serves the order)."""
    table = InventoryLink.__table__
    statement = select(table.c.subject_entity, table.c.subject_id, table.c.created_at).where(
        table.c.item_entity == item_entity, table.c.item_id == item_id)
    if subject_entity is not None:
        statement = statement.where(table.c.subject_entity == subject_entity)
    statement = statement.order_by(table.c.created_at.desc(), table.c.id.desc())
    if user is None:
        return [tuple(row) for row in database.session().execute(statement.limit(limit)).all()]
    found: list[tuple[str, int, Any]] = []
    offset, page = 0, max(limit or 50, 50)
    while limit is None or len(found) < limit:  # pages until enough visible ones, as lists do
        rows = database.session().execute(statement.offset(offset).limit(page)).all()
        for key in {row.subject_entity for row in rows}:
            if key not in current_app.extensions["crmkit"].entities:
                continue
            records = Records(entity_of(key), user)
            seen = records.visible_ids({r.subject_id for r in rows if r.subject_entity == key}) if records.can("view") else set()
            found.extend(tuple(r) for r in rows if r.subject_entity == key and r.subject_id in seen)
        if len(rows) < page:
            break
        offset += page
    found.sort(key=lambda row: row[2], reverse=True)
    return found[:limit] if limit is not None else found


def count_subjects(item_entity: str, item_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """``{item_id: {subject_entity: n}}``: how many records of each entity are about each item, in
    one grouped query on the item index; counts are statistics, not filtered by visibility."""
    ids = list(set(item_ids))
    if not ids:
        return {}
    table = InventoryLink.__table__
    dialect = database.session().get_bind().dialect.name
    rows = database.session().execute(
        select(table.c.item_id, table.c.subject_entity, func.count())
        .where(table.c.item_entity == item_entity, database.among(table.c.item_id, ids, dialect))
        .group_by(table.c.item_id, table.c.subject_entity)).all()
    counts: dict[int, dict[str, int]] = {item_id: {} for item_id in ids}
    for item_id, subject_entity, n in rows:
        counts[item_id][subject_entity] = n
    return counts



def known_items(items: Iterable[tuple[str, Any]]) -> list[Item]:
    """Items a channel names, ``(entity, id or title)`` or ``(None, title)`` for any inventory
    entity (a portal's listing number), that exist; the others are left out, so an unknown object never costs a lead (it stays in the lead's raw)."""
    found: list[Item] = []
    for key, ref in items:
        for candidate in ([key] if key is not None else list(declared())):  # None: a title, of any inventory
            if candidate not in declared():
                continue
            entity = entity_of(candidate)
            by_id = key is not None and (isinstance(ref, int) or str(ref).isdigit())
            column = entity.model.id if by_id else getattr(entity.model, entity.title_field)
            value = int(ref) if by_id else str(ref).strip()
            row = database.session().execute(select(entity.model.id).where(column == value).limit(1)).first()
            if row is not None:
                found.append((candidate, row[0]))
                break
    return list(dict.fromkeys(found))
