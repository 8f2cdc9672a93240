"""The API's schemas, derived from each entity's marshmallow schema so that one declaration
serves the pages, the API and the OpenAPI document."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields
from sqlalchemy import Boolean, Date, DateTime, Integer, Numeric, String

from crmkit.entities import extensions
from crmkit.entities.declaration import EntityType

# Query parameters of a list that are not filters.
LIST_PARAMETERS = ("sort", "after", "before", "limit", "q", "archived")


def record_fields() -> dict[str, fields.Field]:
    """What every record has besides its entity's fields; read-only."""
    return {
        "id": fields.Integer(dump_only=True),
        "version": fields.Integer(dump_only=True, metadata={"description": "Send it back in If-Match to change the record."}),
        "owner_id": fields.Integer(dump_only=True, allow_none=True),
        "created_at": fields.DateTime(dump_only=True),
        "updated_at": fields.DateTime(dump_only=True),
        "archived_at": fields.DateTime(dump_only=True, allow_none=True),
    }


def component_name(entity: EntityType) -> str:
    """``projects.project`` is ``ProjectsProject``: unique, since entity keys are."""
    return "".join(part.title().replace("_", "") for part in entity.key.replace(".", "_").split("_"))


def input_schema(entity: EntityType, parts: list) -> type[Schema]:
    return extensions.effective_schema(entity, parts)


def patch_schema(entity: EntityType, parts: list) -> type[Schema]:
    """The input schema plus ``version``; used with ``partial=True``, so every field is optional."""
    version = fields.Integer(metadata={"description": "The version you read; or send it in If-Match."})
    return type(f"{component_name(entity)}Patch", (input_schema(entity, parts),), {"version": version})


def output_schema(entity: EntityType, parts: list) -> type[Schema]:
    """A record as the API shows it: its fields (decimals as exact strings) and the record fields."""
    base = input_schema(entity, parts)
    attrs: dict[str, Any] = record_fields()
    for name, field in base._declared_fields.items():
        if isinstance(field, fields.Decimal):
            metadata = {**field.metadata, "type": "string", "format": "decimal"}
            attrs[name] = fields.Decimal(as_string=True, allow_none=field.allow_none, metadata=metadata)
    return type(f"{component_name(entity)}Record", (base,), attrs)


def base_type(column):
    """The SQL type under a decorator such as sqlmodel's AutoString or UTCDateTime."""
    return getattr(column.type, "impl", column.type)


def is_text(column) -> bool:
    return isinstance(base_type(column), String)


def column_schema(column) -> dict[str, Any]:
    """The OpenAPI schema of a query-string value for ``column``."""
    kind = base_type(column)
    if isinstance(kind, Boolean):
        return {"type": "boolean"}
    if isinstance(kind, Integer):
        return {"type": "integer", "minimum": -(2**31), "maximum": 2**31 - 1}
    if isinstance(kind, Numeric):
        return {"type": "string", "format": "decimal", "pattern": r"^-?\d{1,12}(\.\d{1,6})?$"}
    if isinstance(kind, DateTime):
        return {"type": "string", "format": "date-time"}
    if isinstance(kind, Date):
        return {"type": "string", "format": "date"}
    if isinstance(kind, String) and kind.length:
        return {"type": "string", "maxLength": kind.length}
    return {"type": "string"}


def filter_parameters(entity: EntityType) -> list[dict[str, Any]]:
    """One query parameter per declared filter and operator (``__gte``, ``__lte``, ``__prefix``)."""
    params = []
    for name in entity.filters:
        column = entity.model.__table__.c[name]
        schema = column_schema(column)
        label = str(entity.field_label(name))
        params.append(_query(name, schema, f"{label}: equal to"))
        if not isinstance(base_type(column), Boolean):
            params.append(_query(f"{name}__gte", schema, f"{label}: at least"))
            params.append(_query(f"{name}__lte", schema, f"{label}: at most"))
        if is_text(column):
            params.append(_query(f"{name}__prefix", schema, f"{label}: starts with"))
    return params


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"in": "query", "name": name, "required": False, "schema": schema, "description": description}
