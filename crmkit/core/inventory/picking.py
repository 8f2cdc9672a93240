"""The "About objects" field on the subjects' forms: typed text (listing numbers, or picked from
suggestions) read into items the user sees, stored as inventory links, shown back as text."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any, Self

from flask_login import current_user
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import func, or_, select

from crmkit import db as database
from crmkit.core.inventory import service
from crmkit.core.inventory.models import InventoryLink
from crmkit.entities.service import Records
from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_gettext as _l

SEPARATORS = re.compile(r"[,;\n]+")
REF = re.compile(r"^([a-z0-9_.]+):(\d+)$")  # how a program names an item: real_estate.property:12
MAX_ITEMS = 50
SUGGESTIONS = 10


class Picked(str):
    """The items a field names, shown as their titles joined (what history and the form show)."""

    items: list[service.Item]

    def __new__(cls, items: list[service.Item], titles: dict[service.Item, str]) -> Self:
        text = super().__new__(cls, ", ".join(titles[item] for item in items))
        text.items = items
        return text


def acting_user() -> Any:
    user = current_user._get_current_object() if current_user else None
    return user if user is not None and user.is_authenticated else None


def records_of(key: str, user: Any) -> Records | None:
    """The item entity's records as ``user`` reads them; None when they may not see any."""
    if user is None:
        return None
    records = Records(service.entity_of(key), user)
    return records if records.can("view") else None


def base(key: str, user: Any):
    """A SELECT of the entity's records ``user`` sees (all of them for the system), archived too."""
    records = records_of(key, user)
    if records is not None:
        return records.select(include_archived=True)
    if user is not None:
        return None
    return select(service.entity_of(key).model)


def titles(items: list[service.Item]) -> dict[service.Item, str]:
    """Each item's title (its entity's ``title_field``), one query per entity."""
    found: dict[service.Item, str] = {}
    for key in {k for k, _i in items}:
        entity = service.entity_of(key)
        model = entity.model
        ids = [i for k, i in items if k == key]
        rows = database.session().execute(select(model.id, getattr(model, entity.title_field)).where(model.id.in_(ids)))
        found.update({(key, row[0]): str(row[1]) for row in rows})
    return {item: found.get(item, f"#{item[1]}") for item in items}


def resolve(token: str, user: Any) -> service.Item | None:
    """One typed token: ``entity:id``, else an exact title (a listing number) of an inventory entity."""
    if match := REF.match(token):
        key, item_id = match.group(1), int(match.group(2))
        if key in service.declared() and service.exists(key, item_id) and item_id in service.visible(key, [item_id], user):
            return key, item_id
        return None
    for key in service.declared():
        entity = service.entity_of(key)
        statement = base(key, user)
        if statement is None:
            continue
        column = getattr(entity.model, entity.title_field)
        row = database.session().execute(
            statement.with_only_columns(entity.model.id).where(func.lower(column) == token.lower()).limit(1)).first()
        if row is not None:
            return key, row[0]
    return None


class ItemsField(fields.String):
    """Text naming items (``RE-000012, RE-000031``), or a list of such names or ``entity:id``
    strings in the API; loads as ``Picked``, which names each unknown one in its error."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, list | tuple):
            tokens = [str(v).strip() for v in value]
        elif isinstance(value, str):
            tokens = [part.strip() for part in SEPARATORS.split(value)]
        else:
            raise ValidationError(_("Enter the objects' numbers, separated by commas."))
        tokens = [t for t in dict.fromkeys(tokens) if t][:MAX_ITEMS + 1]
        if len(tokens) > MAX_ITEMS:
            raise ValidationError(_("At most %(n)s objects.", n=MAX_ITEMS))
        user = acting_user()
        items, unknown = [], []
        for token in tokens:
            item = resolve(token, user)
            (items.append(item) if item is not None else unknown.append(token))
        if unknown:
            raise ValidationError(_("No object you may see has this number: %(numbers)s.", numbers=", ".join(unknown)))
        items = list(dict.fromkeys(items))
        return Picked(items, titles(items))


class AboutSchema(Schema):
    items = ItemsField(allow_none=True, validate=validate.Length(max=2000),
                       metadata={"label": _l("About objects"),
                                 "help": _l("Type a number, an address or a price and choose; several are separated by commas.")})


class Store:
    """Where the field's values live: ``inventory_link`` rows of the subject entity ``key``."""

    def __init__(self, key: str):
        self.key = key

    def current(self, db, record) -> dict[str, Any]:
        if record.id is None:
            return {"items": None}
        items = service.items_of(self.key, record.id, acting_user())
        return {"items": Picked(items, titles(items)) if items else None}

    def save(self, db, record, values) -> None:
        if "items" not in values:
            return
        value = values["items"]
        wanted = list(getattr(value, "items", None) or [])
        user = acting_user()
        for item in service.items_of(self.key, record.id, user):
            if item not in wanted:
                service.unlink_item(self.key, record.id, *item)
        service.link_items(self.key, record.id, wanted)

    def condition(self, entity, name, raw):
        """A list of the subjects about an item: ``inventory.items=RE-000012`` or ``=entity:id``."""
        item = resolve(raw.strip(), acting_user())
        table = InventoryLink.__table__
        if item is None:
            return entity.model.__table__.c.id.is_(None)
        inner = select(table.c.subject_id).where(table.c.item_entity == item[0], table.c.item_id == item[1],
                                                 table.c.subject_entity == self.key)
        return entity.model.__table__.c.id.in_(inner)


def number(text: str) -> Decimal | None:
    """``42 000 000`` or ``42000000,5`` as a number; None for text that is not one."""
    cleaned = re.sub(r"[\s\u00a0]", "", text).replace(",", ".")
    if not re.fullmatch(r"\d+(\.\d+)?", cleaned):
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


def suggestions(text: str, user: Any, limit: int = SUGGESTIONS) -> list[dict[str, Any]]:
    """Items ``user`` sees that ``text`` finds: by their search fields (a number, an address) or,
    for digits, a number field within the declared tolerance (a price). Newest first."""
    from crmkit import search

    found: list[dict[str, Any]] = []
    amount = number(text)
    for key, declared in service.declared().items():
        records = records_of(key, user)
        if records is None:
            continue
        entity, model = records.entity, records.model
        matches = [model.id.in_(search.matching_ids(entity, text))] if text else [model.id.is_not(None)]
        if amount is not None and amount > 0:
            low, high = amount * Decimal(1 - declared.tolerance), amount * Decimal(1 + declared.tolerance)
            matches += [getattr(model, name).between(low, high) for name in declared.number_fields]
        statement = records.select().where(or_(*matches)).order_by(model.id.desc()).limit(limit)
        for record in database.session().execute(statement).scalars():
            found.append({"entity": key, "id": record.id, "title": str(getattr(record, entity.title_field)),
                          "description": declared.describe(record) if declared.describe else "",
                          "value": f"{key}:{record.id}"})
    return found[:limit]
