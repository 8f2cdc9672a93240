"""Schema fields that entity declarations need beyond marshmallow's own, and the framework's
stricter reading of marshmallow's whole numbers and dates (``StrictInput``)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from marshmallow import Schema, ValidationError, fields

from crmkit.i18n import gettext as _

MIN_YEAR, MAX_YEAR = 1900, 2200  # a CRM's dates; beyond them a typo, and conversions overflow
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# A date alone, or with hours and minutes, optional seconds and fraction, and an optional offset.
ISO_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[Tt ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,9})?)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})?)?")
WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,19}")
LARGEST = 2**63 - 1  # a whole number any engine stores; JSON columns included
ISO_FORMATS = (None, "iso", "iso8601")

_text_numbers = ContextVar("crmkit_text_numbers", default=True)


def user_zone() -> ZoneInfo:
    """The zone of the person typing (their own, else the deployment's default), UTC outside a request."""
    from flask import has_request_context

    if not has_request_context():
        return ZoneInfo("UTC")
    from crmkit.i18n import select_timezone

    return ZoneInfo(select_timezone())


@contextmanager
def typed_input() -> Iterator[None]:
    """Within it, whole-number fields take numbers only, never text: JSON has types, forms don't."""
    token = _text_numbers.set(False)
    try:
        yield
    finally:
        _text_numbers.reset(token)


def text_numbers() -> bool:
    """Whether numbers may come as text here: on forms yes, within ``typed_input`` (JSON) no."""
    return _text_numbers.get()


def whole_number(value):
    """A field's raw input as an int, refusing what marshmallow would truncate (1.5, 1e-300),
    booleans, text other than ASCII digits (and any text in ``typed_input``), and anything past
    64 bits."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and _text_numbers.get() and WHOLE_NUMBER.fullmatch(value):
        number = int(value)
    elif isinstance(value, str) and _text_numbers.get() and getattr(value, "reason", None):
        raise ValidationError(value.reason)  # a form's text that says why it names no number (links.Unresolved)
    else:
        raise ValidationError(_("Not a valid integer."))
    if not -LARGEST <= number <= LARGEST:
        raise ValidationError(_("Number too large."))
    return number


def date_message() -> str:
    return _("Enter a date as YYYY-MM-DD, between the years %(min)d and %(max)d.", min=MIN_YEAR, max=MAX_YEAR)


def datetime_message() -> str:
    return _(
        "Enter a date and time as YYYY-MM-DDTHH:MM, with an optional offset, between the years %(min)d and %(max)d.",
        min=MIN_YEAR, max=MAX_YEAR,
    )


def iso_date(value) -> date:
    """``YYYY-MM-DD`` in the years MIN_YEAR..MAX_YEAR; a date object is range-checked only."""
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            pass
    if type(value) is not date or not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValidationError(date_message())
    return value


def iso_datetime(value) -> datetime:
    """ISO 8601 (RFC 3339's profile, the offset optional) in the years MIN_YEAR..MAX_YEAR."""
    if value is None:
        return None
    if isinstance(value, str) and ISO_DATETIME.fullmatch(value):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            pass
    if not isinstance(value, datetime) or not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValidationError(datetime_message())
    return value


def in_year_range(value) -> None:
    """For dates in a format of the plugin's own: the same years as ISO ones."""
    if isinstance(value, date) and not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValidationError(date_message())


def true_or_false(value):
    """In ``typed_input``, a JSON boolean (or null) only: marshmallow would also read 0, 1, "yes"
    and "on", which a form sends but a JSON client means as something else."""
    if _text_numbers.get() or value is None or isinstance(value, bool):
        return value
    raise ValidationError(_("Not a valid boolean."))


def tighten(field: fields.Field) -> None:
    """Make a bound field strict, in place: whole numbers stay whole, booleans in JSON are
    booleans, dates are ISO 8601 within MIN_YEAR..MAX_YEAR; nested schemas' and lists' fields
    too. The field is the schema instance's own copy, so the declaring plugin's class is left as
    it is."""
    check = None
    if isinstance(field, fields.Integer):
        check = whole_number
    elif isinstance(field, fields.Boolean):
        check = true_or_false
    elif isinstance(field, fields.DateTime):
        check = iso_datetime if field.format in ISO_FORMATS else None
    elif isinstance(field, fields.Date):
        check = iso_date if field.format in ISO_FORMATS else None
    if check is not None and check not in field.pre_load:
        field.pre_load = [check, *field.pre_load]
    if isinstance(field, (fields.Date, fields.DateTime)) and check is None and in_year_range not in field.validators:
        field.validators = [*field.validators, in_year_range]
    if isinstance(field, fields.List):
        tighten(field.inner)
    elif isinstance(field, fields.Nested):
        for inner in field.schema.fields.values():
            tighten(inner)


class StrictInput(Schema):
    """Mixed into the schema the framework loads input with (``extensions.effective_schema``), so
    every entity's, plugin's and admin's fields get the same rules: see ``tighten``."""

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        super().on_bind_field(field_name, field_obj)
        tighten(field_obj)


class LocalDateTime(fields.DateTime):
    """A moment, typed in the user's time zone (a form's datetime-local) or with an offset (the API).

    Loads to an aware UTC datetime, the way timestamps are stored; a value without an offset is
    read in the zone of the person who typed it, so 10:00 in Almaty is stored as 05:00 UTC. Only
    ISO 8601 in the years MIN_YEAR..MAX_YEAR is taken, so the conversion never overflows.
    """

    def _deserialize(self, value, attr, data, **kwargs):
        moment = iso_datetime(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=user_zone())
        return moment.astimezone(UTC)


def local_form_value(value: datetime) -> str:
    """A stored moment as a datetime-local input shows it: in the user's zone, to the minute."""
    if value.tzinfo is not None:
        value = value.astimezone(user_zone())
    return value.strftime("%Y-%m-%dT%H:%M")
