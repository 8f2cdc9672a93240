"""Offers: what a buyer offers for an object, from proposed to accepted, declined or withdrawn.

An offer names the object, the buyer (a person) and, once the agency opens one, the deal; an
offer with a deal links that deal to the object (the core's inventory links), so the object's
statistics count it. The object's and the buyer's pages list their offers.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from marshmallow import Schema, fields, validate
from sqlalchemy import Index
from sqlmodel import Field

from crmkit import api

messages = api.Messages(__name__)
_ = messages.gettext
_l = messages.lazy_gettext

KEY = "real_estate.offer"
PROPERTY = "real_estate.property"
CURRENCIES = ("KZT", "USD", "RUB", "EUR")
PANEL_LIMIT = 20
STATES = (
    api.State("proposed", _l("Proposed")),
    api.State("accepted", _l("Accepted"), kind="won"),
    api.State("declined", _l("Declined"), kind="lost"),
    api.State("withdrawn", _l("Withdrawn"), kind="closed"),
)
WORKFLOW = api.Workflow("status", STATES, {
    None: ["proposed"],
    "proposed": ["accepted", "declined", "withdrawn"],
    "accepted": ["withdrawn"],
    "declined": ["proposed"],
    "withdrawn": ["proposed"],
})


class Offer(api.Record, table=True):
    """One buyer's offer for one object; ``owner_id`` is the buyer's agent."""

    __tablename__ = "real_estate_offer"
    __table_args__ = (
        Index("ix_real_estate_offer_property_list", "property_id", "archived_at", "id"),
        Index("ix_real_estate_offer_owner_list", "owner_id", "archived_at", "id"),
    )

    title: str = Field(default="", max_length=200)
    property_id: int = Field(foreign_key="real_estate_property.id")  # indexed by the list index
    person_id: int = Field(foreign_key="contacts_person.id", index=True)
    deal_id: int | None = Field(default=None, foreign_key="pipelines_deal.id", index=True)
    amount: Decimal = Field(max_digits=15, decimal_places=2)
    currency: str = Field(default="KZT", max_length=3)
    status: str = Field(default="proposed", max_length=20, index=True)
    made_on: date = Field(default_factory=date.today, index=True)
    note: str | None = Field(default=None, max_length=2000)


def link(label, target, required=False):
    return fields.Integer(required=required, allow_none=not required, metadata={"label": label, "link": target})


class OfferSchema(Schema):
    title = fields.String(dump_only=True, metadata={"label": _l("Offer")})
    property_id = link(_l("Object"), PROPERTY, required=True)
    person_id = link(_l("Buyer"), "person", required=True)
    deal_id = link(_l("Deal"), "deal")
    amount = api.Money(required=True, validate=validate.Range(min=Decimal("0.01")), metadata={"label": _l("Amount")})
    currency = fields.String(load_default="KZT", validate=validate.OneOf(CURRENCIES),
                             metadata={"label": _l("Currency"), "choices_labels": {c: c for c in CURRENCIES}})
    status = fields.String(validate=validate.OneOf([s.key for s in STATES]),
                           metadata={"label": _l("Status"), "choices_labels": {s.key: s.label for s in STATES}})
    made_on = fields.Date(allow_none=True, metadata={"label": _l("Made on")})
    note = fields.String(allow_none=True, validate=validate.Length(max=2000), metadata={"label": _l("Note"), "multiline": True})


MODELS = [Offer]
ENTITIES = [api.EntityType(
    "offer", Offer, OfferSchema, _l("Offer"), _l("Offers"),
    list_columns=("title", "property_id", "person_id", "amount", "currency", "status", "made_on", "owner_id"),
    filters=("status", "property_id", "person_id", "deal_id", "owner_id"),
    sort_keys=("made_on",), search_fields=("title",), title_field="title", nav_order=830, workflow=WORKFLOW,
)]


def amount_text(amount: Decimal | None, currency: str) -> str:
    return f"{Decimal(amount or 0):,.0f}".replace(",", "\u00a0") + f" {currency}"


def on_event(event, entity, record, changes, user) -> None:
    """Name the offer by its object and amount; link its deal to its object."""
    if entity.key != KEY:
        return
    if event in ("before_create", "before_update"):
        record.made_on = record.made_on or api.today(user)
        found = api.session().get(api.entity(PROPERTY).model, record.property_id)
        number = getattr(found, "number", None) or f"#{record.property_id}"
        record.title = f"{number}: {amount_text(record.amount, record.currency)}"[:200]
    elif event in ("after_create", "after_update") and record.deal_id and "deal_id" in changes:
        # as the system: the form already refused a deal or an object the user does not see
        api.link_items("deal", record.deal_id, [(PROPERTY, record.property_id)])


def panels(entity, record, user) -> list:
    """The offers for an object (or made by a buyer), best first among the open ones."""
    column = {PROPERTY: "property_id", "person": "person_id"}.get(entity.key)
    if column is None or not api.can(user, f"{KEY}.view"):
        return []
    records = api.Records(KEY, user)
    found = records.list(getattr(Offer, column) == record.id, order_by=Offer.id.desc(), limit=PANEL_LIMIT)
    if column == "person_id" and not found:
        return []  # most people make no offer: their pages stay as they were
    prefill = {column: record.id}
    context = {
        "rows": [(offer, api.detail_url(KEY, offer)) for offer in found],
        "statuses": {state.key: state.label for state in STATES},
        "best": best_open(found),
        "more": api.list_url(KEY, **prefill) if len(found) == PANEL_LIMIT else None,
        "new": api.new_url(KEY, **prefill) if api.can(user, f"{KEY}.create") else None,
    }
    return [api.Panel(_l("Offers"), "real_estate/offers_panel.html", context, order=45)]


def best_open(offers: list[Offer]) -> Offer | None:
    """The highest proposed offer in the currency most offers are in (amounts of two currencies never compare)."""
    proposed = [o for o in offers if o.status == "proposed"]
    if not proposed:
        return None
    currencies = [o.currency for o in proposed]
    main = max(set(currencies), key=currencies.count)
    return max((o for o in proposed if o.currency == main), key=lambda o: o.amount)
