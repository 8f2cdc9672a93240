"""Buyer demand as an entity: what a buyer or tenant wants (kind, city, districts, rooms, area,
budget, sale or rent), on a person or a lead, owned by the buyer's agent. A save keeps the
districts' index table in step and writes a short summary for links and titles."""

from __future__ import annotations

import re
from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import delete, insert, select

from crmkit import api
from crmkit_real_estate.demand_models import Demand, DemandDistrict
from crmkit_real_estate.objects import DEAL_TYPES, KINDS

messages = api.Messages(__name__)
_ = messages.gettext
_l = messages.lazy_gettext

KEY = "real_estate.demand"
MODELS = [Demand, DemandDistrict]
MAX_DISTRICTS = 30
STATES = (
    api.State("active", _l("Looking")),
    api.State("satisfied", _l("Found what they wanted"), kind="won"),
    api.State("dropped", _l("No longer looking"), kind="lost"),
)
WORKFLOW = api.Workflow("status", STATES, {
    None: ["active"],
    "active": ["satisfied", "dropped"],
    "satisfied": ["active"],
    "dropped": ["active"],
})
SEPARATORS = re.compile(r"[\n;,]+")


def split_districts(text: str | None) -> list[str]:
    """District names typed one per line (or separated by "," or ";"), without repeats."""
    found: dict[str, str] = {}
    for entry in SEPARATORS.split(text or ""):
        name = " ".join(entry.split())
        if name:
            found.setdefault(name.casefold(), name)
    return list(found.values())


class Districts(fields.String):
    """Several districts in one text, one per line; a list is taken too (the API, the panel's
    check boxes). Loaded as the names one per line, or None for "any district"."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, (list, tuple)):
            value = "\n".join(str(item) for item in value)
        names = split_districts(super()._deserialize(value, attr, data, **kwargs))
        if len(names) > MAX_DISTRICTS:
            raise ValidationError(_("Name at most %(count)d districts.", count=MAX_DISTRICTS))
        if any(len(name) > 100 for name in names):
            raise ValidationError(_("A district's name is at most 100 characters."))
        return "\n".join(names) or None


def whole(label, top=100):
    return fields.Integer(allow_none=True, validate=validate.Range(min=0, max=top), metadata={"label": label})


def area(label):
    return fields.Decimal(allow_none=True, places=2, as_string=True, validate=validate.Range(min=0, max=10**7),
                          metadata={"label": label})


def money(label):
    return api.Money(allow_none=True, validate=validate.Range(min=0), metadata={"label": label})


class DemandSchema(Schema):
    summary = fields.String(dump_only=True, metadata={"label": _l("Demand")})
    person_id = fields.Integer(allow_none=True, metadata={"label": _l("Buyer"), "link": "person"})
    lead_id = fields.Integer(allow_none=True, metadata={"label": _l("Lead"), "link": "lead"})
    deal_type = fields.String(required=True, validate=validate.OneOf(list(DEAL_TYPES)),
                              metadata={"label": _l("Buy or rent"), "choices_labels": DEAL_TYPES})
    kind = fields.String(required=True, validate=validate.OneOf(list(KINDS)),
                         metadata={"label": _l("Kind"), "choices_labels": KINDS})
    city = fields.String(required=True, validate=validate.Length(min=1, max=100), metadata={"label": _l("City")})
    districts = Districts(allow_none=True, metadata={
        "label": _l("Districts"), "multiline": True, "help": _l("One per line; empty means any district of the city.")})
    rooms_min = whole(_l("Rooms from"))
    rooms_max = whole(_l("Rooms up to"))
    area_min = area(_l("Area from, m²"))
    area_max = area(_l("Area up to, m²"))
    budget_min = money(_l("Budget from"))
    budget_max = money(_l("Budget up to"))
    currency = fields.String(validate=validate.Regexp(r"^[A-Za-z]{3}$", error=_l("Three letters, such as KZT.")),
                             metadata={"label": _l("Currency")})
    status = fields.String(validate=validate.OneOf([s.key for s in STATES]),
                           metadata={"label": _l("Status"), "choices_labels": {s.key: s.label for s in STATES}})
    note = fields.String(allow_none=True, validate=validate.Length(max=5000),
                         metadata={"label": _l("What else matters"), "multiline": True})

    @validates_schema(skip_on_field_errors=False)
    def check_ranges(self, data, partial=False, **_kwargs):
        """Each range's lower end may not pass its upper end; a new demand is about someone."""
        errors = {}
        for low, high in (("rooms_min", "rooms_max"), ("area_min", "area_max"), ("budget_min", "budget_max")):
            if data.get(low) is not None and data.get(high) is not None and data[low] > data[high]:
                errors[high] = [_("Must not be less than the lower end.")]
        if not partial and data.get("person_id") is None and data.get("lead_id") is None:
            errors["person_id"] = [_("Choose the buyer, or the lead the demand came with.")]
        if errors:
            raise ValidationError(errors)


ENTITY = api.EntityType(
    "demand", Demand, DemandSchema, _l("Demand"), _l("Demands"),
    list_columns=("summary", "kind", "deal_type", "status", "city", "budget_max", "person_id", "lead_id"),
    filters=("kind", "deal_type", "status", "city", "owner_id", "person_id", "lead_id"),
    sort_keys=(), search_fields=("summary", "city"), title_field="summary",
    nav_order=31, workflow=WORKFLOW,
)


def amount(value: Decimal | None) -> str:
    """A number as people write it here: thin groups of thousands, no trailing zero cents."""
    if value is None:
        return ""
    text = f"{value:,.2f}".replace(",", "\u00a0")
    return text[:-3] if text.endswith(".00") else text


def span(low, high, unit: str = "") -> str:
    """A range without words, so it reads the same in every language: "2–3", "≤ 45 000 000"."""
    low_text = amount(Decimal(low)) if low is not None else ""
    high_text = amount(Decimal(high)) if high is not None else ""
    if low is not None and high is not None:
        found = low_text if low == high else f"{low_text}–{high_text}"
    elif high is not None:
        found = f"≤\u00a0{high_text}"
    elif low is not None:
        found = f"≥\u00a0{low_text}"
    else:
        return ""
    return f"{found}\u00a0{unit}" if unit else found


def summary_of(record: Demand) -> str:
    """The demand in one line of names and numbers: "Алматы, Медеуский · 2–3 · ≤ 45 000 000 KZT"."""
    place = ", ".join([record.city, *split_districts(record.districts)[:3]])
    if len(split_districts(record.districts)) > 3:
        place += ", …"
    parts = [place, span(record.rooms_min, record.rooms_max), span(record.area_min, record.area_max, "㎡"),
             span(record.budget_min, record.budget_max, record.currency)]
    return " · ".join(part for part in parts if part)[:300]


def on_event(event: str, record: Demand, changes: dict) -> None:
    """Before a save: tidy what matching compares; after it: the districts' rows."""
    if event in ("before_create", "before_update"):
        record.city = " ".join((record.city or "").split())
        record.currency = (record.currency or "KZT").upper()
        record.summary = summary_of(record)
    if event == "after_create" or (event == "after_update" and "districts" in changes):
        sync_districts([record.id], {record.id: record.districts})


def sync_districts(ids: list[int], districts: dict[int, str | None] | None = None) -> None:
    """Rewrite the district rows of the demands ``ids`` from their ``districts`` text, in the
    current transaction (read from the table when not given)."""
    if not ids:
        return
    db = api.session()
    if districts is None:
        districts = dict(db.execute(select(Demand.id, Demand.districts).where(Demand.id.in_(ids))).all())
    table = DemandDistrict.__table__
    db.execute(delete(table).where(table.c.demand_id.in_(ids)))
    rows = [{"demand_id": demand_id, "district": name}
            for demand_id, text in districts.items() for name in split_districts(text)]
    if rows:
        db.execute(insert(table), rows)


def imported(created_ids: list[int], updated_ids: list[int]) -> None:
    """An import writes demands in bulk: their summaries and district rows, set-based."""
    ids = [*created_ids, *updated_ids]
    if not ids:
        return
    db = api.session()
    for record in db.execute(select(Demand).where(Demand.id.in_(ids))).scalars():
        record.city = " ".join((record.city or "").split())
        record.currency = (record.currency or "KZT").upper()
        record.summary = summary_of(record)
    db.flush()
    sync_districts(ids)
