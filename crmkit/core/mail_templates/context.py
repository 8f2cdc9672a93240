"""What a template sees: the record's fields shown as its page shows them, in the reader's language
(links by the linked record's title or the user's name, choices by their label, dates and numbers
in the language's format), the recipient, the sender and a link to the record.

Titles of linked records are read without visibility: the admin who wrote the template chose to
show them, and a rule's mail is sent by no one in particular.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import current_app, g, has_request_context, url_for
from flask_login import current_user
from flask_babel import format_date, format_datetime
from sqlalchemy import select

from crmkit import db as database
from crmkit import mail
from crmkit.core.records.cells import decimal_text
from crmkit.core.records.links import user_names
from crmkit.entities.linking import USER
from crmkit.i18n import gettext as _


class Values:
    """Read-only fields for a sandboxed template: ``record.name`` or ``record["name"]``. No
    attributes of its own, so a field can't be shadowed by a method (``items``, ``keys``)."""

    __slots__ = ("_values",)

    def __init__(self, values: dict[str, Any]):
        self._values = values

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self):
        return iter(self._values)

    def __str__(self) -> str:
        return str(self._values.get("title") or self._values.get("name") or "")


@contextmanager
def reading_as(user: Any) -> Iterator[None]:
    """Fields whose page display depends on who reads (names of linked records the reader may
    see) are shown as ``user`` would see them when nobody is logged in: in a job, a request of
    its own under CRMKIT_BASE_URL is made for it."""
    if not has_request_context():
        with current_app.test_request_context(base_url=mail.setting("BASE_URL") or None):
            if user is not None:
                g._login_user = user
            yield
        return
    if user is None or current_user.is_authenticated:
        yield
        return
    g._login_user = user
    try:
        yield
    finally:
        g.pop("_login_user", None)
        g.pop("crmkit_access", None)


def person(user: Any = None, address: str | None = None) -> Values:
    if user is None:  # an address alone is named by itself
        return Values({"name": address or "", "email": address or ""})
    return Values({"name": user.name or user.email, "email": address or user.email})


def record_link(entity: Any, record_id: int) -> str:
    """The record's page for mail: absolute under CRMKIT_BASE_URL, else this request's host."""
    endpoint = f"records.{entity.endpoint_prefix}_detail"
    found = mail.external_url(endpoint, record_id=record_id)
    if found is None and has_request_context():
        found = url_for(endpoint, record_id=record_id, _external=True)
    return found or ""


def link_titles(entity: Any, record: Any) -> dict[str, str]:
    """Each link field's shown value: the linked record's title, or the user's name."""
    registry = current_app.extensions["crmkit"].entities
    shown: dict[str, str] = {}
    session = database.session()
    for name, field in entity.schema._declared_fields.items():
        value = getattr(record, name, None)
        target = field.metadata.get("link")
        if pair := field.metadata.get("link_entity_field"):
            target = getattr(record, pair, None)
        if value is None or not isinstance(value, int) or not target:
            continue
        if target == USER:
            shown[name] = user_names({value}).get(value, f"#{value}")
        elif target in registry:
            linked = registry.get(target)
            title = session.execute(select(getattr(linked.model, linked.title_field)).where(linked.model.id == value)).scalar()
            shown[name] = str(title) if title is not None else f"#{value}"
    owner = getattr(record, "owner_id", None)
    if isinstance(owner, int):
        shown["owner_id"] = user_names({owner}).get(owner, f"#{owner}")
    return shown


def shown(entity: Any, name: str, value: Any) -> str:
    """One field as its page shows it, in the current (forced) language."""
    if value is None:
        return ""
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, datetime):
        return format_datetime(value, "medium")
    if isinstance(value, date):
        return format_date(value, "long")
    try:
        displayed = entity.display(name, value)
    except Exception:  # noqa: BLE001 - a display function that needs a reader: show the stored value
        displayed = value
    if isinstance(displayed, Decimal):
        return decimal_text(displayed)
    return str(displayed)


def record_values(entity: Any, record: Any) -> Values:
    """The record as the template's ``record``; call it inside ``force_locale``."""
    titles = link_titles(entity, record)
    values = {name: titles[name] if name in titles else shown(entity, name, getattr(record, name, None))
              for name in entity.schema._declared_fields}
    values["owner_id"] = titles.get("owner_id", "")
    values["id"] = record.id
    values["title"] = str(getattr(record, entity.title_field, "") or "")
    values["url"] = record_link(entity, record.id)
    return Values(values)
