"""Property objects as an entity: kinds with their own fields, sale or rent, the status workflow,
the form's schema, and what the inventory mechanism finds them by."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from crmkit import api
from crmkit_real_estate import saving
from crmkit_real_estate.models import PriceChange, Property

messages = api.Messages(__name__)
_l = messages.lazy_gettext

KEY = "real_estate.property"
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
CLOSED = ("sold", "rented", "withdrawn")
WORKFLOW = api.Workflow("status", STATES, {
    None: ["active"],
    "active": ["reserved", "withdrawn"],
    "reserved": ["sold", "rented", "active", "withdrawn"],
    "withdrawn": ["active"],
})
# Which kinds each kind-specific field belongs to: forms show it only for those (metadata "when").
KIND_FIELDS = {
    "rooms": ("apartment", "house"),
    "floor": ("apartment", "commercial"),
    "floors": ("apartment", "house", "commercial"),
    "land_area": ("house", "land"),
}
CURRENCIES = ("KZT", "USD", "EUR", "RUB")


def only_for(name):
    return {"when": ("kind", KIND_FIELDS[name])}


def whole(label, low, high, name):
    return fields.Integer(allow_none=True, validate=validate.Range(min=low, max=high),
                          metadata={"label": label, **only_for(name)})


class PropertySchema(Schema):
    number = fields.String(allow_none=True, validate=validate.Length(max=30), load_default=saving.provisional,
                           metadata={"label": _l("Listing number"), "help": _l("Left empty, the next free number is given.")})
    kind = fields.String(required=True, validate=validate.OneOf(list(KINDS)),
                         metadata={"label": _l("Kind"), "choices_labels": KINDS})
    deal_type = fields.String(required=True, validate=validate.OneOf(list(DEAL_TYPES)),
                              metadata={"label": _l("Sale or rent"), "choices_labels": DEAL_TYPES})
    status = fields.String(validate=validate.OneOf([s.key for s in STATES]),
                           metadata={"label": _l("Status"), "choices_labels": {s.key: s.label for s in STATES}})
    city = fields.String(required=True, validate=validate.Length(min=1, max=100), metadata={"label": _l("City")})
    district = fields.String(allow_none=True, validate=validate.Length(max=100), metadata={"label": _l("District")})
    street = fields.String(allow_none=True, validate=validate.Length(max=200), metadata={"label": _l("Street")})
    building = fields.String(allow_none=True, validate=validate.Length(max=50), metadata={"label": _l("Building")})
    area = fields.Decimal(required=True, places=2, as_string=True, validate=validate.Range(min=0, max=10**7),
                          metadata={"label": _l("Area, m²")})
    land_area = fields.Decimal(allow_none=True, places=2, as_string=True, validate=validate.Range(min=0, max=10**7),
                               metadata={"label": _l("Land, sotkas"), **only_for("land_area")})
    rooms = whole(_l("Rooms"), 0, 1000, "rooms")
    floor = whole(_l("Floor"), -5, 300, "floor")
    floors = whole(_l("Floors in the building"), 1, 300, "floors")
    price = api.Money(required=True, validate=validate.Range(min=0), metadata={"label": _l("Price")})
    currency = fields.String(load_default="KZT", validate=validate.OneOf(CURRENCIES),
                             metadata={"label": _l("Currency"), "choices_labels": {c: c for c in CURRENCIES}})
    person_id = fields.Integer(allow_none=True, metadata={"label": _l("Owner (seller or landlord)"), "link": "person"})
    latitude = fields.Float(allow_none=True, validate=validate.Range(min=-90, max=90), metadata={"label": _l("Latitude")})
    longitude = fields.Float(allow_none=True, validate=validate.Range(min=-180, max=180),
                             metadata={"label": _l("Longitude")})
    description = fields.String(allow_none=True, validate=validate.Length(max=10000),
                                metadata={"label": _l("Description"), "multiline": True})
    published_at = fields.DateTime(dump_only=True, metadata={"label": _l("On the market since")})
    closed_at = fields.DateTime(dump_only=True, metadata={"label": _l("Closed")})


ENTITY = api.EntityType(
    "property", Property, PropertySchema, _l("Object"), _l("Objects"),
    list_columns=("number", "kind", "deal_type", "status", "city", "district", "street", "rooms", "area", "price",
                  "currency", "owner_id"),
    filters=("kind", "deal_type", "status", "city", "district", "rooms", "price", "person_id"),
    sort_keys=("price",), search_fields=("number", "city", "district", "street", "building"), title_field="number",
    dedup_keys=("number",), nav_order=30, workflow=WORKFLOW,
)


def describe(record) -> str:
    """How a suggestion and a link name an object beside its number: address, rooms, price."""
    address = ", ".join(part for part in (record.city, record.district, " ".join(
        p for p in (record.street, record.building) if p)) if part)
    rooms = messages.gettext("%(n)s rooms", n=record.rooms) if record.rooms else ""
    price = f"{record.price:,.0f}".replace(",", " ") + f" {record.currency}"
    return " · ".join(part for part in (str(KINDS.get(record.kind, record.kind)), address, rooms, price) if part)


INVENTORY = api.Inventory(KEY, number_fields=("price",), describe=describe)


def on_event(event, record, changes, user):
    saving.on_event(event, record, changes, user, KIND_FIELDS, CLOSED)
