"""Limits the database sets on a value (text length, digits of a decimal, size of an integer),
checked before writing, so that a value a schema lets through is refused with a message per
field instead of failing in the database (PostgreSQL refuses; SQLite would store it anyway)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Integer, Numeric, SmallInteger, String

from crmkit.validation import translate

INTEGER_LIMITS = ((SmallInteger, 2**15 - 1), (BigInteger, 2**63 - 1), (Integer, 2**31 - 1))


def base_type(column):
    """The SQL type under a decorator such as sqlmodel's AutoString."""
    return getattr(column.type, "impl", column.type)


def problem(column, value: Any) -> str | None:
    """Why ``value`` does not fit ``column``, in the user's language, or None."""
    if value is None:
        return None
    kind = base_type(column)
    if isinstance(kind, String) and kind.length and isinstance(value, str) and len(value) > kind.length:
        return translate(f"Longer than maximum length {kind.length}.")
    if isinstance(kind, Numeric) and kind.precision and isinstance(value, (Decimal, int, float)):
        scale = kind.scale or 0
        bound = Decimal(10) ** (kind.precision - scale)
        if not abs(Decimal(str(value))) < bound:
            return translate(f"Must be less than {bound}.")
    if isinstance(kind, Integer) and isinstance(value, int) and not isinstance(value, bool):
        limit = next(top for cls, top in INTEGER_LIMITS if isinstance(kind, cls))
        if abs(value) > limit:
            return translate(f"Must be less than or equal to {limit}.")
    return None


def problems(model, values: dict[str, Any]) -> dict[str, list[str]]:
    """Each of ``values`` that its column can't hold, with its message."""
    table = model.__table__
    found = {}
    for name, value in values.items():
        if name in table.c and (message := problem(table.c[name], value)):
            found[name] = [message]
    return found
