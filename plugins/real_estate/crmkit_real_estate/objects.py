"""Property objects as an entity: kinds, the sale/rent workflow, the form's schema and what a save
does (listing number, market dates, price history)."""

from __future__ import annotations

from datetime import UTC, datetime

from marshmallow import Schema, fields, validate
from sqlalchemy import func, select

from crmkit import api
from crmkit_real_estate.models import PriceChange, Property

messages = api.Messages(__name__)
_l = messages.lazy_gettext

KEY = "real_estate.property"
NUMBER_PREFIX = "RE-"
MODELS = [Property, PriceChange]

KINDS = {
    "apartment": _l("Apartment"),
    "house": _l("House"),
    "land": _l("Land"),
    "commercial": _l("Commercial"),
}
DEAL_TYPES = {"sale": _l("Sale"), "rent": _l("Rent")}
STATES = (
    api.State("active", _l("Active")),
    api.State("reserved", _l("Reserved")),
    api.State("sold", _l("Sold"), kind="closed"),
    api.State("rented", _l("Rented"), kind="closed"),
    api.State("withdrawn", _l("Withdrawn"), kind="closed"),
)
CLOSED = tuple(state.key for state in STATES if state.kind == "closed")
WORKFLOW = api.Workflow("status", STATES, {
    None: ["active"],
    "active": ["reserved", "withdrawn"],
    "reserved": ["sold", "rented", "active", "withdrawn"],
    "withdrawn": ["active"],
    "sold": [],
    "rented": [],
})


def now():
    return datetime.now(UTC)


class PropertySchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(list(KINDS)),
                         metadata={"label": _l("Kind"), "choices_labels": KINDS})
    deal_type = fields.String(required=True, validate=validate.OneOf(list(DEAL_TYPES)),
                              metadata={"label": _l("Sale or rent"), "choices_labels": DEAL_TYPES})
    status = fields.String(validate=validate.OneOf([s.key for s in STATES]),
                           metadata={"label": _l("Status"), "choices_labels": {s.key: s.label for s in STATES}})
    number = fields.String(allow_none=True, validate=validate.Length(max=30), metadata={"label": _l("Listing number")})
    city = fields.String(required=True, validate=validate.Length(min=1, max=100), metadata={"label": _l("City")})
    district = fields.String(allow_none=True, validate=validate.Length(max=100), metadata={"label": _l("District")})
    street = fields.String(allow_none=True, validate=validate.Length(max=200), metadata={"label": _l("Street")})
    building = fields.String(allow_none=True, validate=validate.Length(max=50), metadata={"label": _l("Building")})
    area = fields.Decimal(required=True, places=2, as_string=True, validate=validate.Range(min=0, max=10**8),
                          metadata={"label": _l("Area, m²")})
    land_area = fields.Decimal(allow_none=True, places=2, as_string=True, validate=validate.Range(min=0, max=10**8),
                               metadata={"label": _l("Land area, sotkas")})
    rooms = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=1000), metadata={"label": _l("Rooms")})
    floor = fields.Integer(allow_none=True, validate=validate.Range(min=-10, max=500), metadata={"label": _l("Floor")})
    floors = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=500), metadata={"label": _l("Floors")})
    latitude = fields.Float(allow_none=True, validate=validate.Range(min=-90, max=90), metadata={"label": _l("Latitude")})
    longitude = fields.Float(allow_none=True, validate=validate.Range(min=-180, max=180),
                             metadata={"label": _l("Longitude")})
    price = api.Money(required=True, validate=validate.Range(min=0), metadata={"label": _l("Price")})
    currency = fields.String(validate=validate.Length(equal=3), metadata={"label": _l("Currency")})
    person_id = fields.Integer(allow_none=True, metadata={"label": _l("Owner"), "link": "person"})
    description = fields.String(allow_none=True, validate=validate.Length(max=10000),
                                metadata={"label": _l("Description"), "multiline": True})


ENTITY = api.EntityType(
    "property", Property, PropertySchema, _l("Object"), _l("Objects"),
    list_columns=("number", "kind", "deal_type", "status", "city", "district", "street", "area", "price", "currency"),
    filters=("kind", "deal_type", "status", "city", "district", "owner_id", "person_id"),
    sort_keys=("price",), search_fields=("number", "city", "district", "street"), title_field="number",
    nav_order=30, workflow=WORKFLOW,
)


def next_number(db):
    """The next free listing number, ``RE-000042``: one past the highest id, skipping any taken."""
    candidate = (db.execute(select(func.max(Property.id))).scalar() or 0) + 1
    while True:
        number = f"{NUMBER_PREFIX}{candidate:06d}"
        if db.execute(select(Property.id).where(Property.number == number)).first() is None:
            return number
        candidate += 1


def check_number(db, record):
    taken = select(Property.id).where(Property.number == record.number)
    if record.id is not None:
        taken = taken.where(Property.id != record.id)
    if db.execute(taken.limit(1)).first() is not None:
        raise api.Invalid({"number": [_l("Another object already has this number.").__str__()]})


def on_event(event, record, changes, user):
    """Before a save: the listing number, the market dates; after it: the price's history."""
    db = api.session()
    if event in ("before_create", "before_update"):
        record.number = (record.number or "").strip() or None
        if record.number is None:
            record.number = next_number(db)
        else:
            check_number(db, record)
        if record.status in CLOSED:
            record.closed_at = record.closed_at or now()
        else:
            record.closed_at = None
    if event == "before_create":
        record.published_at = record.published_at or now()
    if event == "after_create" or (event == "after_update" and "price" in changes):
        old = changes["price"][0] if event == "after_update" else None
        db.add(PriceChange(property_id=record.id, old_price=old, new_price=record.price, currency=record.currency,
                           changed_at=now(), changed_by_id=getattr(user, "id", None)))
