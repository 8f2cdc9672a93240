"""Filtered, sorted lists paged by keyset, so the thousandth page costs what the first does.

A cursor names the last row seen (its sort value and id); the next page starts after it, using
the index on the sort key instead of counting past every earlier row as OFFSET would. Counts
stop at ``COUNT_CAP`` for the same reason: counting ten thousand rows took half of a page's time
at 100k contacts ("More than 1,000" tells a user as much).
"""

from __future__ import annotations

import base64
import json
import math
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from marshmallow import fields as mf
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Integer,
    Numeric,
    String,
    and_,
    func,
    or_,
    select,
)

from crmkit.entities.columns import base_type
from crmkit.entities.declaration import EntityType
from crmkit.entities.linking import USER

COUNT_CAP = 1_000
MAX_LIMIT = 200
MAX_CURSOR = 2_000  # characters: a sort value of a few hundred, base64-encoded
LARGEST_ID = 2**63 - 1
DRILL_COLUMNS = ("id", "owner_id", "created_at")
LIST_CONDITIONS = "crmkit.list_conditions"
MAX_IN = 1_000  # values of one ``__in`` filter
ME = "me"  # a user field's filter value meaning the user looking at the list
TEAM = "team"  # ... meaning everyone who reports to that user, directly or not (not the user)


class ListError(ValueError):
    """A filter, sort or cursor that can't be used; ``field`` names which."""

    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name


@dataclass
class ListQuery:
    filters: dict[str, str] = field(default_factory=dict)
    sort: str = ""
    after: str | None = None
    before: str | None = None
    limit: int = 50

    @classmethod
    def from_args(cls, args, entity: EntityType) -> ListQuery:
        """Read ``?status=new&amount__gte=10&sort=-name&after=...&limit=50`` from a request."""
        reserved = {"sort", "after", "before", "limit", "q", "view", "archived", "applied", "columns"}
        filters = {k: v for k, v in args.items() if k not in reserved and v != ""}
        try:
            limit = min(max(int(args.get("limit", 50)), 1), MAX_LIMIT)
        except ValueError:
            raise ListError("limit", "limit must be a whole number") from None
        return cls(filters, args.get("sort") or entity.default_sort, args.get("after"), args.get("before"), limit)


@dataclass
class Page:
    items: list[Any]
    next_cursor: str | None
    prev_cursor: str | None
    total: int
    total_capped: bool


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps([v.isoformat() if isinstance(v, (date, datetime)) else v for v in values], default=str)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, column=None, side: str = "after") -> list[Any]:
    """The ``[sort value, id]`` a cursor names. Anything ``encode_cursor`` did not write for a
    list sorted by ``column`` (given) is a ListError naming ``side``, the query parameter."""
    try:
        if len(cursor) > MAX_CURSOR:
            raise ValueError(cursor)
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, RecursionError):  # bad base64, text or JSON (UnicodeError is a ValueError)
        raise ListError(side, "the page cursor is not valid") from None
    if not (isinstance(values, list) and len(values) == 2 and is_id(values[1])):
        raise ListError(side, "the page cursor is not valid")
    if column is not None and not fits(column, values[0]):
        raise ListError(side, "the page cursor does not belong to this sort")
    return values


def is_id(value: Any) -> bool:
    return type(value) is int and 0 < value <= LARGEST_ID


def fits(column, value: Any) -> bool:
    """Whether ``value`` is what ``encode_cursor`` writes for a row's ``column``."""
    kind = base_type(column)
    if value is None:
        return bool(column.nullable)
    if isinstance(kind, Boolean):
        return type(value) is bool
    if isinstance(kind, Integer):
        return type(value) is int and abs(value) <= LARGEST_ID
    if isinstance(kind, Numeric) and type(value) in (int, float):  # Float columns write numbers
        return math.isfinite(value)
    if not isinstance(value, str):
        return False
    try:
        if isinstance(kind, Numeric):
            return Decimal(value).is_finite()
        if isinstance(kind, DateTime):
            return bool(datetime.fromisoformat(value))
        if isinstance(kind, Date):
            return bool(date.fromisoformat(value))
    except (ValueError, ArithmeticError):
        return False
    return isinstance(kind, String)


def coerce(column, raw: str, field_name: str) -> Any:
    """Turn a query-string value into the column's type, or explain why not."""
    kind = base_type(column)  # UTCDateTime wraps DateTime: a moment compares as one
    try:
        if isinstance(kind, Boolean):
            return raw.lower() in ("1", "true", "yes", "on")
        if isinstance(kind, Integer):
            return int(raw)
        if isinstance(kind, Numeric):
            return Decimal(raw)
        if isinstance(kind, DateTime):
            return datetime.fromisoformat(raw)
        if isinstance(kind, Date):
            return date.fromisoformat(raw)
    except (ValueError, ArithmeticError):
        raise ListError(field_name, f"{raw!r} is not a valid value for {field_name}") from None
    return raw


def extension_condition(entity: EntityType, parts, key: str, raw: str):
    """Equality on an extension field, ``campaigns.utm_source=mail``.

    A typed field is a column of the plugin's table, matched through its indexed record column.
    A light or custom field is read from the JSON column, which no index covers: the database
    reads every row the user can see, so such filters suit lists of moderate size.
    """
    namespace, _, name = key.partition(".")
    part = next((p for p in parts if p.namespace == namespace), None)
    schema_field = part.schema._declared_fields.get(name) if part else None
    if schema_field is None:
        raise ListError(key, f"the list cannot be filtered by {key}")
    if part.store is not None:
        return part.store.condition(entity, name, raw)
    if part.typed:
        table = part.model.__table__
        value = coerce(table.c[name], raw, key)
        inner = select(table.c[part.record_column]).where(table.c[name] == value)
        return entity.model.__table__.c.id.in_(inner)
    extra = entity.model.__table__.c.extra
    if isinstance(schema_field, mf.Boolean):
        return extra[(namespace, name)].as_boolean() == (raw.lower() in ("1", "true", "yes", "on"))
    return extra[(namespace, name)].as_string() == raw


def is_user_field(entity: EntityType, name: str) -> bool:
    """A field naming a user: a schema's user field, or the owner every record has."""
    if name == "owner_id":
        return True
    field = entity.schema._declared_fields.get(name)
    return field is not None and field.metadata.get("link") == USER


def me() -> int | None:
    """The id of whoever asks for the list (``?responsible_id=me``); None outside a request."""
    from flask import has_request_context
    from flask_login import current_user

    return current_user.id if has_request_context() and current_user.is_authenticated else None


def team():
    """A SELECT of the ids of everyone below the user asking in the manager tree (``?owner_id=team``:
    "my subordinates' records"); visibility still applies on top."""
    from crmkit.core.auth.models import User

    tree = select(User.id).where(User.manager_id == me()).cte("team", recursive=True)
    tree = tree.union(select(User.id).join(tree, User.manager_id == tree.c.id))
    return select(tree.c.id)


def drillable(table, name: str) -> bool:
    """Columns every list may be filtered by, beyond the entity's ``filters``, so that a report's
    figure can link to the records behind it: the id, owner and creation moment every record has,
    and any indexed column (``closed_at``), which the filter's range reads through its index."""
    return name in DRILL_COLUMNS or (name in table.c and bool(table.c[name].index))


def coerce_many(column, raw: str, field_name: str) -> list[Any]:
    """``?owner_id__in=3,5,8``: comma-separated values, each turned into the column's type."""
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    if len(parts) > MAX_IN:
        raise ListError(field_name, f"{field_name} takes at most {MAX_IN} values")
    return [coerce(column, part, field_name) for part in parts]


def named_condition(key: str):
    """A condition another plugin offers to every list under a name of its own, kept in
    ``app.extensions["crmkit.list_conditions"]`` as ``{key: fn(entity, raw) -> SQL condition}``
    (the reports' ``?in_report=`` lists the records behind a figure); None when ``key`` isn't one."""
    from flask import current_app, has_app_context

    return current_app.extensions.get(LIST_CONDITIONS, {}).get(key) if has_app_context() else None


def apply_filters(statement, entity: EntityType, filters: dict[str, str], parts=()):
    table = entity.model.__table__
    for key, raw in filters.items():
        if (condition := named_condition(key)) is not None:
            statement = statement.where(condition(entity, raw))
            continue
        if "." in key:
            statement = statement.where(extension_condition(entity, parts, key, raw))
            continue
        name, _, op = key.partition("__")
        if name not in entity.filters and not drillable(table, name):
            raise ListError(key, f"the list cannot be filtered by {key}")
        column = table.c[name]
        if op == "in":
            statement = statement.where(column.in_(coerce_many(column, raw, key)))
            continue
        if raw == TEAM and op == "" and is_user_field(entity, name):
            statement = statement.where(column.in_(team()))
            continue
        value = me() if raw == ME and is_user_field(entity, name) else coerce(column, raw, key)
        if op == "gte":
            statement = statement.where(column >= value)
        elif op == "lte":
            statement = statement.where(column <= value)
        elif op == "lt":
            statement = statement.where(column < value)
        elif op == "prefix" and isinstance(base_type(column), String):  # AutoString wraps String
            statement = statement.where(column.startswith(value, autoescape=True))
        elif op == "":
            statement = statement.where(column == value)
        else:
            raise ListError(key, f"unknown filter operator {op!r}")
    return statement


def sort_spec(entity: EntityType, sort: str) -> tuple[Any, bool]:
    name = sort.lstrip("-")
    if name != "id" and name not in entity.sort_keys:
        raise ListError("sort", f"the list cannot be sorted by {name}")
    return entity.model.__table__.c[name], sort.startswith("-")


def keyset(statement, column, id_column, descending: bool, cursor: list[Any], forward: bool):
    """Rows after (forward) or before the cursor in display order: sort value, then id, NULLs last;
    ``cursor`` as ``decode_cursor`` checked it against ``column``."""
    value, last_id = cursor
    value = coerce(column, value, "after" if forward else "before") if isinstance(value, str) else value
    less = descending == forward
    cmp = (lambda a, b: a < b) if less else (lambda a, b: a > b)
    cmp_or_equal = (lambda a, b: a <= b) if less else (lambda a, b: a >= b)
    if value is None:
        condition = and_(column.is_(None), cmp(id_column, last_id))
        return statement.where(condition if forward else or_(condition, column.is_not(None)))
    # "value >= v AND (value > v OR id > i)": the first half bounds the sort index's range, where
    # "value > v OR (value = v AND id > i)" alone makes PostgreSQL read the index from its start.
    condition = and_(cmp_or_equal(column, value), or_(cmp(column, value), cmp(id_column, last_id)))
    if forward and column.nullable:
        condition = or_(condition, column.is_(None))
    return statement.where(condition)


def ordering(column, id_column, descending: bool, forward: bool) -> list[Any]:
    """Display order when paging forward; its exact reverse when paging back."""
    fetch_desc = descending == forward
    if column is id_column:
        return [id_column.desc() if fetch_desc else id_column.asc()]
    sort = column.desc() if fetch_desc else column.asc()
    if column.nullable:
        sort = sort.nulls_last() if forward else sort.nulls_first()
    return [sort, id_column.desc() if fetch_desc else id_column.asc()]


def run(db, statement, entity: EntityType, query: ListQuery, parts=()) -> Page:
    """One page of ``statement``; ``parts`` are the entity's extension groups, for their filters."""
    model = entity.model
    statement = apply_filters(statement, entity, query.filters, parts)
    id_column = model.__table__.c.id
    counted = statement.with_only_columns(id_column).limit(COUNT_CAP + 1)  # ids only: an index covers them
    total = db.execute(select(func.count()).select_from(counted.subquery())).scalar_one()
    column, descending = sort_spec(entity, query.sort)
    forward = query.before is None
    if query.after or query.before:
        side = "before" if query.before else "after"
        cursor = decode_cursor(query.before or query.after, column, side)
        statement = keyset(statement, column, id_column, descending, cursor, forward)
    order = ordering(column, id_column, descending, forward)
    rows = list(db.execute(statement.order_by(*order).limit(query.limit + 1)).scalars())
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    if not forward:
        rows.reverse()
    name = column.key

    def cursor_of(row):
        return encode_cursor([getattr(row, name), row.id])

    has_next = more if forward else True
    has_prev = (query.after is not None) if forward else more
    return Page(
        items=rows,
        next_cursor=cursor_of(rows[-1]) if rows and has_next else None,
        prev_cursor=cursor_of(rows[0]) if rows and has_prev else None,
        total=min(total, COUNT_CAP),
        total_capped=total > COUNT_CAP,
    )
