"""One page of a record's timeline, merged from its sources.

Each source (activities about the record, the record's history, plugins' entries) is asked for
at most ``limit + 1`` entries older than the cursor, through its index, newest first; the page is
the newest ``limit`` of them all. Since every source gives its own newest, that is exact, and a
``limit + 1``-th entry anywhere means there is an older page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select

from crmkit import db
from crmkit.core.activities.models import KINDS as ACTIVITY_KINDS
from crmkit.core.auth.models import User
from crmkit.core.records import links
from crmkit.core.timeline import render
from crmkit.core.timeline.entries import Cursor, TimelineEntry
from crmkit.entities import extensions
from crmkit.entities.declaration import EntityType
from crmkit.entities.history import Change
from crmkit.entities.service import Records

PAGE_SIZE = 20
PANEL_SIZE = 20
ACTIVITY = "activity"
# The filters the timeline offers: which activity kinds each shows; "changes" is the history.
FILTERS: dict[str, tuple[str, ...]] = {
    "all": ACTIVITY_KINDS,
    "calls": ("call",),
    "emails": ("email",),
    "meetings": ("meeting",),
    "tasks": ("task",),
    "notes": ("note",),
    "changes": (),
}


@dataclass(frozen=True)
class Page:
    entries: list[TimelineEntry]
    next_cursor: Cursor | None
    kind: str


def activity_entity() -> EntityType | None:
    entities = current_app.extensions["crmkit"].entities
    return entities.get(ACTIVITY) if ACTIVITY in entities else None


def load(entity: EntityType, record: Any, user: Any, kind: str = "all", before: Cursor | None = None,
         limit: int = PAGE_SIZE) -> Page:
    """The entries of one page, newest first, and the cursor of the next page (None at the end)."""
    fetch = limit + 1
    activities = activity_rows(entity, record, user, FILTERS[kind], before, fetch)
    changes = change_rows(entity, record, before, fetch) if kind in ("all", "changes") else []
    names = user_names({a.owner_id for a in activities} | {c.user_id for c in changes})
    can_edit = bool(activities) and Records(activity_entity(), user).can("edit")
    found = [render.activity_entry(a, names, can_edit) for a in activities]
    if changes:
        label_of, linked = labeller(entity, user), link_titles(entity, changes)
        found += [render.change_entry(c, names, label_of, linked, entity) for c in changes]
    if kind == "all":
        found += plugin_entries(entity, record, user, before, fetch)
    found.sort(key=lambda entry: entry.position, reverse=True)
    page = found[:limit]
    return Page(page, Cursor.after(page[-1]) if len(found) > limit else None, kind)


def activity_rows(entity, record, user, kinds: tuple[str, ...], before: Cursor | None, limit: int) -> list[Any]:
    """Activities about the record that the user may see, through ix_activity_about.

    An activity without a time (a call logged with none) stands at the moment it was recorded.
    """
    target = activity_entity()
    if not kinds or target is None or entity.key == ACTIVITY:
        return []
    records = Records(target, user)
    if not records.can("view"):
        return []
    model = target.model
    about = records.select().where(model.about_entity == entity.key, model.about_id == record.id)
    if kinds != ACTIVITY_KINDS:
        about = about.where(model.kind.in_(kinds))
    rows = []
    dated, undated = about.where(model.happened_at.is_not(None)), about.where(model.happened_at.is_(None))
    for statement, at_column in ((dated, model.happened_at), (undated, model.created_at)):
        if before is not None:
            statement = statement.where(before.condition(at_column, model.id, ACTIVITY))
        statement = statement.order_by(at_column.desc(), model.id.desc()).limit(limit)
        rows += records.db.execute(statement).scalars().all()
    return rows


def change_rows(entity: EntityType, record: Any, before: Cursor | None, limit: int) -> list[Change]:
    """The record's newest history entries before the cursor, through ix_core_change_record.

    History is appended as it happens, so its id order is its time order: the index gives the
    newest first and the cursor's time only trims where it starts.
    """
    statement = select(Change).where(Change.entity == entity.key, Change.record_id == record.id)
    if before is not None:
        statement = statement.where(before.condition(Change.at, Change.id, render.CHANGE))
        if before.source == render.CHANGE:
            statement = statement.where(Change.id < before.source_id)
    statement = statement.order_by(Change.id.desc()).limit(limit)
    return list(db.session().execute(statement).scalars())


def plugin_entries(entity, record, user, before: Cursor | None, limit: int) -> list[TimelineEntry]:
    """What plugins add through ``timeline_entries``, kept to what is older than the cursor."""
    pm = current_app.extensions["crmkit"].pm
    found = []
    for entries in pm.hook.timeline_entries(entity=entity, record=record, user=user, before=before, limit=limit):
        newest = sorted(
            (e for e in entries or [] if before is None or before.admits(e)),
            key=lambda entry: entry.position,
            reverse=True,
        )
        found += newest[:limit]
    return found


def user_names(ids: set[int | None]) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    rows = db.session().execute(select(User.id, User.name, User.email).where(User.id.in_(ids)))
    return {row.id: row.name or row.email for row in rows}


def labeller(entity: EntityType, user: Any):
    """Labels for history keys, extension fields (``campaigns.utm_source``) included."""
    parts = Records(entity, user).extension_groups()
    return lambda key: extensions.field_label(parts, key) or entity.field_label(key)


def link_titles(entity: EntityType, changes: list[Change]) -> dict[str, dict[int, str]]:
    """Field -> {id: title} of the records the changed link fields pointed at, before and after,
    so that history reads "Alatau LLP → Kaspi" instead of ids; the user's visibility applies. A
    number shown through its field's display function (a deal's stage) reads by its name too."""
    wanted: dict[str, set[int]] = {}
    fields = entity.schema._declared_fields
    for change in changes:
        changed = change.changes or {}
        for name, values in (changed.get("fields") or {} if change.action in ("merge", "unmerge") else changed).items():
            schema_field = fields.get(name)
            if schema_field is not None and (schema_field.metadata.get("link") or schema_field.metadata.get("display")):
                wanted.setdefault(name, set()).update(v for v in (values if isinstance(values, list) else [values]) if isinstance(v, int))
    return {name: links.titles(fields[name].metadata["link"], ids) if fields[name].metadata.get("link")
            else {value: entity.display(name, value) for value in ids} for name, ids in wanted.items()}
