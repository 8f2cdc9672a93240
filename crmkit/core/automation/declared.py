"""What an entity declares that rules may name: its fields (and their types), its workflow's
states, and how a value of a field is read from a record and typed from a form or a file.

Rules work on every entity the framework knows because they only use these declarations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from marshmallow import fields as mm
from marshmallow import validate

from crmkit import db
from crmkit.i18n import lazy_gettext as _l

OWNER_DEPARTMENT = "owner_department"  # a condition's pseudo-field: the owner's department
BUILTIN_DATES = {"created_at": _l("Created"), "updated_at": _l("Last changed")}


@dataclass(frozen=True)
class FieldInfo:
    """One field a rule may compare, set or wait on."""

    name: str
    label: Any
    kind: str  # text, int, number, bool, date, datetime, choice, user, department
    choices: tuple[Any, ...] = ()
    settable: bool = True


def _kind(field: mm.Field) -> str:
    if isinstance(field, mm.Boolean):
        return "bool"
    if isinstance(field, mm.Integer):
        return "int"
    if isinstance(field, mm.Decimal | mm.Float | mm.Number):
        return "number"
    if isinstance(field, mm.DateTime):
        return "datetime"
    if isinstance(field, mm.Date):
        return "date"
    return "text"


def _choices(field: mm.Field) -> tuple[Any, ...]:
    for validator in field.validators:
        if isinstance(validator, validate.OneOf):
            return tuple(validator.choices)
    return ()


def fields_of(entity: Any) -> dict[str, FieldInfo]:
    """The entity's own fields by name, the owner, and its created/updated times (read-only)."""
    found: dict[str, FieldInfo] = {}
    for name, field in entity.schema._declared_fields.items():
        if field.load_only and field.dump_only:
            continue
        kind, choices = _kind(field), _choices(field)
        if choices:
            kind = "choice"
        found[name] = FieldInfo(name, entity.field_label(name), kind, choices, settable=not field.dump_only)
    found["owner_id"] = FieldInfo("owner_id", entity.field_label("owner_id"), "user")
    for name, label in BUILTIN_DATES.items():
        found.setdefault(name, FieldInfo(name, label, "datetime", settable=False))
    return found


def condition_fields(entity: Any) -> dict[str, FieldInfo]:
    """The fields a condition may compare: the entity's, and the owner's department."""
    return {**fields_of(entity), OWNER_DEPARTMENT: FieldInfo(OWNER_DEPARTMENT, _l("Owner's department"), "department",
                                                             settable=False)}


def date_fields(entity: Any) -> dict[str, FieldInfo]:
    """Fields a time trigger may wait on: dates and times stored in the entity's own table."""
    columns = entity.model.__table__.columns
    return {name: info for name, info in fields_of(entity).items()
            if info.kind in ("date", "datetime") and name in columns}


def states_of(entity: Any) -> list[Any]:
    """Every state of the entity's workflow (of every pipeline for deals), or [] without one."""
    workflow = entity.workflow
    if workflow is None:
        return []
    if not callable(workflow.states):
        return list(workflow.states)
    field = fields_of(entity).get(workflow.field)
    keys = field.choices if field is not None else ()
    labels = entity.schema._declared_fields[workflow.field].metadata.get("choices_labels") or {}
    from crmkit.entities.workflow import State

    return [State(key=str(key), label=labels.get(key) or str(key)) for key in keys]


def state_label(entity: Any, key: Any) -> str:
    for state in states_of(entity):
        if state.key == str(key):
            return str(state.label)
    return str(key)


def choice_label(entity: Any, name: str, value: Any) -> str:
    """A value as people read it: a choice's label, a user's name, a department's name."""
    if value is None:
        return ""
    if name in ("owner_id", "created_by_id"):
        from crmkit.core.auth.models import User

        user = db.session().get(User, value)
        return (user.name or user.email) if user is not None else f"#{value}"
    if name == OWNER_DEPARTMENT:
        from crmkit.core.access.models import Department

        department = db.session().get(Department, value)
        return department.name if department is not None else f"#{value}"
    return str(entity.display(name, value))


class BadValue(ValueError):
    """A value that doesn't fit its field; the message says what was expected."""


def typed(info: FieldInfo, value: Any) -> Any:
    """``value`` (from a form, a file or JSON) as the field holds it; raises ``BadValue``."""
    if value is None or value == "":
        return None
    kind = info.kind
    if kind == "choice" and info.choices:
        for choice in info.choices:
            if str(choice) == str(value):
                return choice
        raise BadValue(_l("one of the field's choices"))
    try:
        if kind in ("int", "user", "department"):
            if isinstance(value, bool):
                raise ValueError
            return int(value)
        if kind == "number":
            return Decimal(str(value))
        if kind == "bool":
            if isinstance(value, bool):
                return value
            if str(value).lower() in ("1", "true", "yes", "on"):
                return True
            if str(value).lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError
        if kind == "date":
            return value if isinstance(value, date) and not isinstance(value, datetime) else date.fromisoformat(str(value)[:10])
        if kind == "datetime":
            return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except (ValueError, TypeError, InvalidOperation):
        expected = {"int": _l("a whole number"), "user": _l("a user"), "department": _l("a department"),
                    "number": _l("a number"), "bool": _l("yes or no"), "date": _l("a date (YYYY-MM-DD)"),
                    "datetime": _l("a date and time")}[kind]
        raise BadValue(expected) from None
    return str(value)


def plain(value: Any) -> Any:
    """A typed value as JSON keeps it (rules are stored as JSON)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def read(record: Any, name: str) -> Any:
    """The record's value of a field, or of the owner's department."""
    if name == OWNER_DEPARTMENT:
        from crmkit.core.auth.models import User

        owner = db.session().get(User, record.owner_id) if record.owner_id else None
        return owner.department_id if owner is not None else None
    return getattr(record, name, None)
