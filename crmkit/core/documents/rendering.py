"""What a document is made of: the context a template sees, built from a record in the document's
language (dates and money by babel, amounts in words), the HTML it renders to and the PDF
WeasyPrint makes of that HTML.

WeasyPrint fetches nothing: images and fonts a template names must be ``data:`` URLs, so a
template can't read files of the server or make it call other machines.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from flask_babel import force_locale
from sqlalchemy import case, select

from crmkit import db as database
from crmkit.core.documents import words
from crmkit.core.documents.sandbox import LINE_ITEM_ENTITIES, entity_fields, environment
from crmkit.core.mail_templates.context import Values, reading_as, record_values
from crmkit.core.pipelines import deals, money
from crmkit.core.pipelines.models import DealPerson, LineItem

BABEL_LOCALES = {"ru": "ru_RU", "kk": "kk_KZ", "en": "en_GB"}
ROLE_ORDER = {"payer": 0, "decision_maker": 1, "contact": 2}


def money_text(value: Decimal, currency: str, language: str) -> str:
    return format_currency(value, currency, locale=BABEL_LOCALES[language])


def number_text(value: Decimal, language: str) -> str:
    return format_decimal(value.normalize() if value == value.to_integral() else value, locale=BABEL_LOCALES[language])


def date_text(day: date, language: str) -> str:
    return format_date(day, "long", locale=BABEL_LOCALES[language])


def counterparty(entity_key: str, record: Any) -> tuple[int | None, int | None]:
    """The organisation and person a document about ``record`` is addressed to."""
    if entity_key == "organization":
        return record.id, None
    if entity_key == "person":
        return getattr(record, "organization_id", None), record.id
    person_id = getattr(record, "person_id", None)
    if person_id is None and entity_key == "deal":
        order = case(*((DealPerson.role == role, rank) for role, rank in ROLE_ORDER.items()), else_=9)
        person_id = database.session().execute(
            select(DealPerson.person_id).where(DealPerson.deal_id == record.id).order_by(order, DealPerson.id).limit(1)).scalar()
    return getattr(record, "organization_id", None), person_id


def linked_values(entity_key: str, record_id: int | None) -> Values:
    from crmkit import api

    entity = api.entity(entity_key)
    record = database.session().get(entity.model, record_id) if record_id is not None else None
    if record is None:  # no counterparty: every field empty, so a template reads "" rather than failing
        return Values(dict.fromkeys(entity_fields(entity), ""))
    return record_values(entity, record)


def line_items(record_id: int) -> list[LineItem]:
    return deals.line_items(database.session(), record_id)


def item_values(items: list[LineItem], currency: str, language: str) -> list[Values]:
    shown = []
    for index, item in enumerate(items, 1):
        line = money.of_line(item)
        shown.append(Values({
            "position": index, "name": item.name, "unit": item.unit, "quantity": number_text(item.quantity, language),
            "price": money_text(item.price, currency, language), "discount_percent": number_text(item.discount_percent, language),
            "vat_rate": number_text(item.vat_rate, language), "net": money_text(line.net, currency, language),
            "vat": money_text(line.vat, currency, language), "total": money_text(line.total, currency, language)}))
    return shown


def record_total(entity_key: str, record: Any) -> tuple[Decimal | None, str]:
    """The record's total and currency: a deal's computed from its line items, else its amount."""
    currency = getattr(record, "currency", None) or "KZT"
    if entity_key in LINE_ITEM_ENTITIES:
        items = line_items(record.id)
        if items:
            return money.totals(items).total, currency
    amount = getattr(record, "amount", None)
    return (Decimal(amount) if amount is not None else None), currency


def user_values(user: Any, day: date) -> Values:
    """Who makes the document, and ``day`` in their own language (the deployment's when they
    chose none, English for a language documents are not written in)."""
    from flask import current_app

    language = (getattr(user, "locale", None) or current_app.config.get("DEFAULT_LOCALE") or "ru")[:2]
    language = language if language in BABEL_LOCALES else "en"
    if user is None:
        return Values({"name": "", "email": "", "date": date_text(day, language)})
    return Values({"name": user.name or user.email, "email": user.email, "date": date_text(day, language)})


def context(entity: Any, record: Any, language: str, number: str, day: date, version: int, title: str, user: Any) -> dict:
    """Everything a template sees, in ``language``."""
    with reading_as(user), force_locale(language):
        organization_id, person_id = counterparty(entity.key, record)
        found = {
            "document": Values({"number": number, "date": date_text(day, language), "version": version, "title": title}),
            "record": record_values(entity, record),
            "organization": linked_values("organization", organization_id),
            "person": linked_values("person", person_id),
            "user": user_values(user, day),
        }
        if entity.key in LINE_ITEM_ENTITIES:
            currency = getattr(record, "currency", None) or "KZT"
            items = line_items(record.id)
            sums = money.totals(items)
            total, currency = record_total(entity.key, record)
            total = total if total is not None else Decimal("0")
            found["items"] = item_values(items, currency, language)
            found["totals"] = Values({
                "net": money_text(sums.net if items else total, currency, language),
                "vat": money_text(sums.vat, currency, language), "total": money_text(total, currency, language),
                "currency": currency, "in_words": words.amount_in_words(total, currency, language)})
        return found


def render_html(source: str, values: dict) -> str:
    return environment().from_string(source).render(**values)


def refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict:
    """WeasyPrint's fetcher: only ``data:`` URLs, nothing from disk or the network."""
    if url.startswith("data:"):
        from weasyprint.urls import default_url_fetcher

        return default_url_fetcher(url)
    raise ValueError(f"documents fetch nothing: {url[:80]}")


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=refuse_fetch, base_url=None).write_pdf()
