"""Where an object is advertised: placements on the core's lead sources (a portal, a paper, a
banner), each with its address, cost and dates. Leads name their source; calls reach a source
through the tracking number admins give it (Leads > Sources), so both count per placement's
source, per object and overall (source_report.py).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import Index
from sqlmodel import Field

from crmkit import api
from crmkit_real_estate import counts
from crmkit_real_estate.offers import CURRENCIES, PROPERTY

messages = api.Messages(__name__)
_ = messages.gettext
_l = messages.lazy_gettext

KEY = "real_estate.placement"
PANEL_LIMIT = 20


class Placement(api.Record, table=True):
    """One advertisement of one object on one source, for a time; ``cost`` what it cost in all."""

    __tablename__ = "real_estate_placement"
    __table_args__ = (
        Index("ix_real_estate_placement_property_list", "property_id", "archived_at", "id"),
        Index("ix_real_estate_placement_source_dates", "source_id", "started_on"),
        Index("ix_real_estate_placement_owner_list", "owner_id", "archived_at", "id"),
    )

    title: str = Field(default="", max_length=200)
    property_id: int = Field(foreign_key="real_estate_property.id")  # indexed by the list index
    source_id: int = Field(foreign_key="leads_source.id")
    url: str | None = Field(default=None, max_length=1000)
    cost: Decimal | None = Field(default=None, max_digits=15, decimal_places=2)
    currency: str = Field(default="KZT", max_length=3)
    started_on: date = Field(default_factory=date.today)
    ended_on: date | None = Field(default=None)


class PlacementSchema(Schema):
    title = fields.String(dump_only=True, metadata={"label": _l("Placement")})
    property_id = fields.Integer(required=True, metadata={"label": _l("Object"), "link": PROPERTY})
    source_id = api.lead_source_field(_l("Source"), required=True)
    url = fields.Url(allow_none=True, schemes={"http", "https"}, validate=validate.Length(max=1000),
                     metadata={"label": _l("Advertisement's address")})
    cost = api.Money(allow_none=True, metadata={"label": _l("Cost"), "help": _l("What the placement cost in all, if it is paid.")})
    currency = fields.String(load_default="KZT", validate=validate.OneOf(CURRENCIES),
                             metadata={"label": _l("Currency"), "choices_labels": {c: c for c in CURRENCIES}})
    started_on = fields.Date(required=True, metadata={"label": _l("Started on")})
    ended_on = fields.Date(allow_none=True, metadata={"label": _l("Ended on"), "help": _l("Empty while it runs.")})

    @validates_schema
    def ends_after_start(self, data, **_kwargs):
        if data.get("ended_on") and data.get("started_on") and data["ended_on"] < data["started_on"]:
            raise ValidationError(_("A placement can't end before it starts."), "ended_on")


MODELS = [Placement]
ENTITIES = [api.EntityType(
    "placement", Placement, PlacementSchema, _l("Placement"), _l("Placements"),
    list_columns=("title", "property_id", "source_id", "cost", "currency", "started_on", "ended_on"),
    filters=("property_id", "source_id", "owner_id"), sort_keys=("started_on",), search_fields=("title",),
    title_field="title", nav_order=835,
)]


def source_names() -> dict[int, str]:
    return {source["id"]: source["name"] for source in api.lead_sources()}


def on_event(event, entity, record, changes, user) -> None:
    """Name the placement by its object's number and its source."""
    if entity.key == KEY and event in ("before_create", "before_update"):
        found = api.session().get(api.entity(PROPERTY).model, record.property_id)
        number = getattr(found, "number", None) or f"#{record.property_id}"
        record.title = f"{number} · {source_names().get(record.source_id, record.source_id)}"[:200]


def panels(entity, record, user) -> list:
    """An object's placements, and the leads and calls each of its sources brought about it."""
    if entity.key != PROPERTY or not api.can(user, f"{KEY}.view"):
        return []
    found = api.Records(KEY, user).list(Placement.property_id == record.id, order_by=Placement.id.desc(), limit=PANEL_LIMIT)
    names = source_names()
    figures = counts.by_source(record.id)
    today = api.today(user)
    context = {
        "rows": [(p, api.detail_url(KEY, p), names.get(p.source_id, ""), p.ended_on is None or p.ended_on >= today)
                 for p in found],
        "figures": [(names.get(source_id, _("No source")), leads, calls) for source_id, (leads, calls) in figures.items()],
        "more": api.list_url(KEY, property_id=record.id) if len(found) == PANEL_LIMIT else None,
        "new": api.new_url(KEY, property_id=record.id, started_on=today.isoformat()) if api.can(user, f"{KEY}.create") else None,
    }
    return [api.Panel(_l("Advertising"), "real_estate/placements_panel.html", context, order=47)]
