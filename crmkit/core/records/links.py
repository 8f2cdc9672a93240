"""Fields that point at another record (``metadata["link"]``): the linked record's title on pages
and lists, and the records to choose from on forms, only those the user may see."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_login import current_user
from sqlalchemy import select

from crmkit.entities.errors import RecordError
from crmkit.entities.service import Records

CHOICES_LIMIT = 500  # a form's select lists at most this many, by title; the current value always


def records_for(entity_key: str) -> Records | None:
    entities = current_app.extensions["crmkit"].entities
    entity = next((e for e in entities if e.key == entity_key), None)
    return Records(entity, current_user) if entity is not None else None


def titles(entity_key: str, ids: set[int]) -> dict[int, str]:
    """Titles of the given records that the user sees; one query."""
    records = records_for(entity_key)
    ids = {i for i in ids if isinstance(i, int)}
    if records is None or not ids or not records.can("view"):
        return {}
    model, title = records.model, getattr(records.model, records.entity.title_field)
    statement = records.select(include_archived=True).with_only_columns(model.id, title).where(model.id.in_(ids))
    return {row[0]: str(row[1]) for row in records.db.execute(statement)}


def fill_choices(fields: list[Any]) -> None:
    """Turn each link field into a select of the records the user may pick."""
    for field in fields:
        if not field.link or field.choices:
            continue
        records = records_for(field.link)
        if records is None or not records.can("view"):
            continue
        model, title = records.model, getattr(records.model, records.entity.title_field)
        statement = records.select().with_only_columns(model.id, title).order_by(title, model.id).limit(CHOICES_LIMIT)
        options = [(str(row[0]), str(row[1])) for row in records.db.execute(statement)]
        current = field.value
        if current not in (None, "") and str(current) not in {value for value, _label in options}:
            found = titles(field.link, {int(current)}) if str(current).isdigit() else {}
            options.insert(0, (str(current), found.get(int(current), f"#{current}") if found else f"#{current}"))
        field.choices = options
        field.input_type = "select"


def link_titles(entity, rows: list[Any], fields: list[str]) -> dict[str, dict[int, str]]:
    """For a list or detail page: field name -> {id: title} of the records its link fields point at."""
    found: dict[str, dict[int, str]] = {}
    for name in fields:
        schema_field = entity.schema._declared_fields.get(name)
        target = schema_field.metadata.get("link") if schema_field is not None else None
        if not target:
            continue
        try:
            found[name] = titles(target, {getattr(row, name, None) for row in rows})
        except RecordError:
            found[name] = {}
    return found
