"""What the OpenAPI document says a field's values may be, read from the validation the server
runs on them, so that a value the document allows is accepted and one it forbids is refused.

apispec already turns a marshmallow field's type, ``Length``, ``Range``, ``OneOf`` and
``Regexp`` into JSON Schema. This adds the rest, through ``documented`` (an apispec attribute
function):

- a field class's own ``openapi`` (phones, emails, IIN and BIN: crmkit.core.contacts.documented;
  money and lists of record numbers: crmkit.core.pipelines.documented);
- marshmallow's ``Url`` and ``Email``: a pattern of addresses their validators always take;
- ISO dates and moments, which the framework takes in the years 1900 to 2200 (``DATE``,
  ``DATETIME``: exact, leap years included);
- ``help`` as the description, and a link's target as ``x-crmkit-link`` (the entity it names a
  record of, ``user`` for a user's id, or ``x-crmkit-link-entity-field``, the field naming it): a
  link must name a record the caller may see (a user field, an active user), which no schema can say;
- the limits of the column a field is stored in (``column_limits``): text length, the size of
  an integer or a decimal, which crmkit.entities.columns checks before writing.

Fields of a stored record (``stored`` in their metadata) show what was stored, not what may be
typed, so the rules for input stay off them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import fields
from sqlalchemy import Integer, Numeric, String

from crmkit.core.contacts.documented import EMAIL, URL
from crmkit.entities.columns import INTEGER_LIMITS, base_type
from crmkit.entities.fields import ISO_FORMATS
from crmkit.entities.linking import USER  # the formats the framework reads strictly

_YEAR = "(?:19[0-9]{2}|2[01][0-9]{2}|2200)"
_LEAP_YEAR = "(?:19(?:0[48]|[2468][048]|[13579][26])|20(?:[02468][048]|[13579][26])|21(?:0[48]|[2468][048]|[13579][26]))"
_MONTH_DAY = (
    "(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    "|02-(?:0[1-9]|1[0-9]|2[0-8]))"
)
DAY = f"(?:{_YEAR}-{_MONTH_DAY}|{_LEAP_YEAR}-02-29)"
TIME = "(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\\.[0-9]{1,9})?)?"
OFFSET = "(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"  # datetime.fromisoformat refuses a lowercase z
DATE = f"^{DAY}$"
# A day alone, or with a time and an optional offset; without one it is read in the user's zone.
DATETIME = f"^{DAY}(?:[Tt ]{TIME}{OFFSET}?)?$"
NO_NUL = "^[^\\u0000]*$"

# A filter compares with stored moments, which have an offset: so must the value compared.
QUERY_DATETIME = f"^{DAY}[Tt ]{TIME}{OFFSET}$"
DATE_RULE = {"format": "date", "pattern": DATE, "description": "YYYY-MM-DD, in the years 1900 to 2200."}
DATETIME_RULE = {
    "pattern": DATETIME,
    "description": "ISO 8601: YYYY-MM-DDTHH:MM[:SS[.fraction]] with an optional offset (Z, +05:00), or a date "
                   "alone; without an offset it is read in the user's time zone. Years 1900 to 2200.",
}


def class_rule(field: fields.Field) -> dict[str, Any]:
    """What the document says of a marshmallow field class the server reads more strictly than its type."""
    if isinstance(field, fields.Url):
        return {"format": "uri", "pattern": f"^{URL}$",
                "description": "An http or https address; the pattern shows addresses every deployment takes."}
    if isinstance(field, fields.Email):
        return {"format": "email", "pattern": f"^{EMAIL}$",
                "description": "An email address; the pattern shows plain addresses every deployment takes."}
    if isinstance(field, fields.DateTime) and field.format in ISO_FORMATS:
        return DATETIME_RULE
    if isinstance(field, fields.Date) and field.format in ISO_FORMATS:
        return DATE_RULE
    return {}


def documented(self, field: fields.Field, ret: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
    """apispec attribute function (``converter.add_attribute_function``): see the module docstring."""
    extra: dict[str, Any] = {}
    if help_text := field.metadata.get("help"):
        extra["description"] = str(help_text)
    if (target := field.metadata.get("link")) == USER:
        extra.update({"x-crmkit-link": target, "minimum": 1})
        extra.setdefault("description", "The id of an active user; a user no longer active may stay where "
                                        "already stored.")
    elif target:
        extra.update({"x-crmkit-link": target, "minimum": 1})
    elif entity_field := field.metadata.get("link_entity_field"):
        extra.update({"x-crmkit-link-entity-field": entity_field, "minimum": 1})
    if ret.get("enum") == []:  # choices read from the database, none there yet: nothing is valid
        del ret["enum"]
        extra["not"] = {}
    if field.metadata.get("stored"):
        return extra
    rule = dict(getattr(field, "openapi", None) or class_rule(field))
    if isinstance(field, fields.String) and "pattern" not in ret and "pattern" not in rule and "enum" not in ret:
        rule["pattern"] = NO_NUL  # the API refuses NUL in any text (databases do)
    if rule and "format" not in rule:
        ret.pop("format", None)  # e.g. "date-time", which would refuse a date alone
    if "anyOf" in rule:
        ret.pop("type", None)  # the rule's alternatives name their types (money: a number or a text)
    if rule.get("description") and extra.get("description"):
        rule["description"] = f"{extra['description']} {rule['description']}"
    return {**extra, **rule}


def stored_form(field: fields.Field) -> fields.Field | None:
    """A copy of ``field`` for a record as the API shows it, when its input rules don't hold for
    stored values (a phone is typed any way but stored in E.164); None when they do."""
    if not (getattr(field, "openapi", None) or class_rule(field)):
        return None
    copy = field.__class__.__new__(field.__class__)
    copy.__dict__.update(field.__dict__)
    copy.metadata = {**field.metadata, "stored": True}
    return copy


def column_limits(model, declared: dict[str, fields.Field]) -> dict[str, dict[str, Any]]:
    """For each declared field stored as typed in a column of ``model``: the bounds its column sets
    (a phone is stored in another form than typed, and its own rule bounds what may be typed)."""
    table = model.__table__
    limits: dict[str, dict[str, Any]] = {}
    for name, field in declared.items():
        if name not in table.c or getattr(field, "openapi", None):
            continue
        kind = base_type(table.c[name])
        if isinstance(kind, String) and kind.length:
            limits[name] = {"maxLength": kind.length}
        elif isinstance(kind, Numeric) and kind.precision:
            # the largest value of the column's digits: a larger one would round up past it
            step = Decimal(1).scaleb(-(kind.scale or 0))
            bound = float(Decimal(10) ** (kind.precision - (kind.scale or 0)) - step)
            limits[name] = {"minimum": -bound, "maximum": bound}
        elif isinstance(kind, Integer):
            top = next(limit for cls, limit in INTEGER_LIMITS if isinstance(kind, cls))
            limits[name] = {"minimum": -top, "maximum": top}
    return limits


def tighter(schema: dict[str, Any], limits: dict[str, Any]) -> None:
    """Merge column ``limits`` into a property's JSON schema, keeping whichever bound is tighter."""
    for key, value in limits.items():
        current = schema.get(key)
        if current is None:
            schema[key] = value
        elif key == "minimum":
            schema[key] = max(current, value)
        else:
            schema[key] = min(current, value)


def stored_nullable(model, properties: dict[str, Any]) -> None:
    """A record's property may be null where its column may, whatever its field says of input."""
    table = model.__table__
    for name, prop in properties.items():
        if name in table.c and table.c[name].nullable and "$ref" not in prop:
            prop["nullable"] = True
