"""What saving an object does beyond its fields: a listing number when none is given, only its
kind's fields kept, floor within floors, the market dates, and a price-history row per change."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from sqlalchemy import func, insert, select, update

from crmkit import api
from crmkit_real_estate.models import PriceChange, Property

messages = api.Messages(__name__)
_ = messages.gettext
NUMBER_PREFIX = "RE-"
PROVISIONAL = "RE-NEW-"  # a number left out, until the save (or an import) gives the next one


def provisional() -> str:
    """A placeholder for a number left empty, unique so a bulk import's rows can be written at once."""
    return f"{PROVISIONAL}{secrets.token_hex(8)}"


def now():
    return datetime.now(UTC)


def next_number(db, taken=()):
    """The next free listing number, ``RE-000042``: one past the highest id, skipping any taken."""
    candidate = (db.execute(select(func.max(Property.id))).scalar() or 0) + 1
    while True:
        number = f"{NUMBER_PREFIX}{candidate:06d}"
        if number not in taken and db.execute(select(Property.id).where(Property.number == number)).first() is None:
            return number
        candidate += 1


def problems(db, record, kind_fields) -> dict[str, list[str]]:
    """Per-field messages for what the schema alone can't see: a number another object has, a
    floor above the building's floors, land without its size."""
    found: dict[str, list[str]] = {}
    taken = select(Property.id).where(Property.number == record.number)
    if record.id is not None:
        taken = taken.where(Property.id != record.id)
    if db.execute(taken.limit(1)).first() is not None:
        found["number"] = [_("Another object already has this number.")]
    if record.floor is not None and record.floors is not None and record.floor > record.floors:
        found["floor"] = [_("The floor is above the building's %(n)s floors.", n=record.floors)]
    if record.kind == "land" and record.land_area is None:
        found["land_area"] = [_("Give the size of the land.")]
    return found


def before_save(record, kind_fields, closed):
    db = api.session()
    for name, kinds in kind_fields.items():  # a house saved as land keeps no rooms
        if record.kind not in kinds:
            setattr(record, name, None)
    number = (record.number or "").strip()
    record.number = number if number and not number.startswith(PROVISIONAL) else next_number(db)
    record.currency = (record.currency or "KZT").upper()
    if found := problems(db, record, kind_fields):
        raise api.Invalid(found)
    if record.status in closed:
        record.closed_at = record.closed_at or now()
    else:
        record.closed_at = None
    record.published_at = record.published_at or now()


def on_event(event, record, changes, user, kind_fields, closed):
    if event in ("before_create", "before_update"):
        before_save(record, kind_fields, closed)
    if event == "after_create" or (event == "after_update" and "price" in changes):
        old = changes["price"][0] if event == "after_update" else None
        api.session().add(PriceChange(property_id=record.id, old_price=old, new_price=record.price,
                                      currency=record.currency, changed_at=now(), changed_by_id=getattr(user, "id", None)))


def imported(created_ids, updated_ids, user):
    """An import writes in bulk without entity events: the new objects get their listing number
    (in place of the placeholder), their time on the market and their first price row."""
    if not created_ids:
        return
    db = api.session()
    rows = db.execute(select(Property.id, Property.price, Property.currency, Property.number)
                      .where(Property.id.in_(created_ids)).order_by(Property.id)).all()
    for row in rows:
        if row.number.startswith(PROVISIONAL):
            wanted = f"{NUMBER_PREFIX}{row.id:06d}"
            free = db.execute(select(Property.id).where(Property.number == wanted)).first() is None
            number = wanted if free else next_number(db)
            db.execute(update(Property).where(Property.id == row.id).values(number=number))
    db.execute(update(Property).where(Property.id.in_(created_ids), Property.published_at.is_(None)).values(published_at=now()))
    if rows:
        db.execute(insert(PriceChange), [{"property_id": r.id, "old_price": None, "new_price": r.price,
                                          "currency": r.currency, "changed_at": now(),
                                          "changed_by_id": getattr(user, "id", None)} for r in rows])
