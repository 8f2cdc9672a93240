"""A deal's people (in their roles) and line items, changed as a whole with the deal: each change
checks the version the editor saw, and a change of the line items sets the deal's amount through
``Records.update`` in the same transaction, so history, locking and events apply as to any edit."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask import current_app
from marshmallow import ValidationError
from sqlalchemy import func, select

from crmkit.core.pipelines import deals, money
from crmkit.core.pipelines.models import PERSON_ROLES, DealPerson, LineItem, PriceItem
from crmkit.core.pipelines.setup import SetupError, decimal_in
from crmkit.entities.service import Conflict, Records
from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_gettext as _l

ROLE_LABELS = {"decision_maker": _l("Decision maker"), "payer": _l("Payer"), "contact": _l("Contact")}
PEOPLE_LIMIT = 100
PRICE_CHOICES = 200  # a price list longer than this is typed, not chosen from a select


def check_version(records: Records, deal: Any, version: Any) -> None:
    """A stale form (someone saved the deal since it was shown) is refused before anything changes."""
    if str(version) != str(deal.version):
        raise Conflict(deal, {})


def people_of(records: Records, deal: Any) -> list[tuple[DealPerson, Any]]:
    """The deal's people with the person record, or None for one the user can't see."""
    rows = list(records.db.execute(
        select(DealPerson).where(DealPerson.deal_id == deal.id).order_by(DealPerson.id).limit(PEOPLE_LIMIT)).scalars())
    people = records_of(records, "person")
    seen = {}
    if rows and people is not None and people.can("view"):
        statement = people.select(include_archived=True).where(people.model.id.in_({row.person_id for row in rows}))
        seen = {p.id: p for p in records.db.execute(statement).scalars()}
    return [(row, seen.get(row.person_id)) for row in rows]


def records_of(records: Records, key: str) -> Records | None:
    """Records of another entity for the same user, or None when its plugin is off."""
    entities = current_app.extensions["crmkit"].entities
    return Records(entities.get(key), records.user, records.db) if key in entities else None


def add_person(records: Records, deal: Any, person_id: Any, role: str, version: Any) -> None:
    """``person_id``: as the form's person field sent it (links.from_form: an id, or the picker's
    text that named no single person, which says why when turned into a number)."""
    records.require("edit")
    check_version(records, deal, version)
    errors: dict[str, list[str]] = {}
    if role not in PERSON_ROLES:
        errors["role"] = [_("Choose a role from the list.")]
    people = records_of(records, "person")
    try:
        wanted = int(person_id) if person_id not in (None, "") else None
    except ValidationError as unresolved:
        errors["person_id"] = [str(message) for message in unresolved.messages]
        wanted = None
    except ValueError:
        wanted = None
    if "person_id" not in errors and (wanted is None or people is None or wanted not in people.visible_ids({wanted})):
        errors["person_id"] = [_("No such record.")]
    if errors:
        raise SetupError(errors)
    exists = records.db.execute(select(DealPerson.id).where(
        DealPerson.deal_id == deal.id, DealPerson.person_id == wanted, DealPerson.role == role)).first()
    if exists:
        raise SetupError({"person_id": [_("This person is already in the deal in this role.")]})
    records.db.add(DealPerson(deal_id=deal.id, person_id=wanted, role=role))
    records.db.commit()


def remove_person(records: Records, deal: Any, row_id: int, version: Any) -> None:
    records.require("edit")
    check_version(records, deal, version)
    records.db.delete(part_of(records, deal, DealPerson, row_id, {"person_id": [_("No such record.")]}))
    records.db.commit()


NO_LINE = {"name": [_l("No such line.")]}


def part_of(records: Records, deal: Any, model: type, row_id: int, missing: dict[str, list[str]]) -> Any:
    """The deal's own row of ``model`` (a person in a role, a line); another deal's is as missing."""
    row = records.db.get(model, row_id)
    if row is None or row.deal_id != deal.id:
        raise SetupError(missing)
    return row


def price_choices(session) -> list[PriceItem]:
    statement = select(PriceItem).where(PriceItem.archived_at.is_(None)).order_by(PriceItem.name, PriceItem.id)
    return list(session.execute(statement.limit(PRICE_CHOICES)).scalars())


def line_values(session, form: Any, line: LineItem | None = None) -> dict[str, Any]:
    """A line from a form: chosen from the price list (its name, unit, price and VAT, unless typed
    over) or typed; quantity and discount always typed. SetupError names each bad field."""
    errors: dict[str, list[str]] = {}
    item = None
    chosen = (form.get("price_item_id") or "").strip()
    if chosen:
        item = session.get(PriceItem, int(chosen)) if chosen.isdigit() else None
        if item is None:
            errors["price_item_id"] = [_("No such price list line.")]
    name = (form.get("name") or "").strip() or (item.name if item else (line.name if line else ""))
    if not 1 <= len(name) <= 200:
        errors["name"] = [_("Give a name of up to 200 characters, or choose from the price list.")]
    unit = (form.get("unit") or "").strip() or (item.unit if item else "")
    if len(unit) > 20:
        errors["unit"] = [_("Up to 20 characters.")]
    price_text = (form.get("price") or "").strip() or (str(item.price) if item else "")
    vat_text = (form.get("vat_rate") or "").strip() or (str(item.vat_rate) if item else "0")
    price = decimal_in(price_text, Decimal("0"), Decimal("9999999999999.99"), "price", errors)
    vat_rate = decimal_in(vat_text, Decimal("0"), Decimal("100"), "vat_rate", errors)
    discount = decimal_in((form.get("discount_percent") or "0").strip(), Decimal("0"), Decimal("100"), "discount_percent", errors)
    quantity = quantity_in(form.get("quantity") or "1", errors)
    if errors:
        raise SetupError(errors)
    return {"price_item_id": item.id if item else (line.price_item_id if line else None), "name": name, "unit": unit,
            "price": price, "vat_rate": vat_rate, "discount_percent": discount, "quantity": quantity}


def quantity_in(text: str, errors: dict[str, list[str]]) -> Decimal:
    """A quantity above zero with at most three decimals (a comma works as the point)."""
    try:
        value = Decimal(str(text).strip().replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or not Decimal("0") < value < Decimal("1000000000") \
            or value != value.quantize(Decimal("0.001")):
        errors["quantity"] = [_("A quantity above zero with at most three decimals.")]
        return Decimal("1")
    return value


def save_line(records: Records, deal: Any, form: Any, version: Any, line_id: int | None = None) -> None:
    """Add a line (``line_id`` None) or change one, and set the deal's amount to the new total."""
    records.require("edit")
    check_version(records, deal, version)
    session = records.db
    line = None if line_id is None else part_of(records, deal, LineItem, line_id, NO_LINE)
    values = line_values(session, form, line)
    if line is None:
        count = session.execute(select(func.count()).select_from(LineItem).where(LineItem.deal_id == deal.id)).scalar_one()
        if count >= deals.LINE_LIMIT:
            raise SetupError({"name": [_("A deal holds at most %(num)d lines.", num=deals.LINE_LIMIT)]})
        line = LineItem(deal_id=deal.id, position=count, **values)
        session.add(line)
    else:
        for name, value in values.items():
            setattr(line, name, value)
    session.flush()
    follow_total(records, deal, version)


def remove_line(records: Records, deal: Any, line_id: int, version: Any) -> None:
    records.require("edit")
    check_version(records, deal, version)
    records.db.delete(part_of(records, deal, LineItem, line_id, NO_LINE))
    records.db.flush()
    follow_total(records, deal, version)


def follow_total(records: Records, deal: Any, version: Any) -> None:
    """Commit the lines with the deal's amount set to their total (through ``Records.update``, so
    the history shows the new amount and a concurrent save of the deal fails as a stale edit);
    with no lines left the amount stays as it was."""
    items = deals.line_items(records.db, deal.id)
    if items and money.totals(items).total != deal.amount:
        records.update(deal, {"amount": str(money.totals(items).total)}, version=int(version))
    else:
        records.db.commit()
