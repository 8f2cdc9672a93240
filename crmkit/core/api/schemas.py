"""The API's schemas, derived from each entity's marshmallow schema so that one declaration
serves the pages, the API and the OpenAPI document."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields
from sqlalchemy import String

from crmkit.core.api import values
from crmkit.entities import extensions
from crmkit.entities.columns import base_type
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
    """The input schema, used with ``partial=True``, so every field is optional. The version read
    goes in If-Match, which the document requires; the ``version`` field the server also takes is
    left out of it, as a request carrying it without If-Match could not be told from one without."""
    return type(f"{component_name(entity)}Patch", (input_schema(entity, parts),), {})


def output_schema(entity: EntityType, parts: list) -> type[Schema]:
    """A record as the API shows it: its fields (decimals as exact strings, the forms values are
    stored in rather than those they may be typed in) and the record fields."""
    base = input_schema(entity, parts)
    attrs: dict[str, Any] = record_fields()
    for name, field in base._declared_fields.items():
        if isinstance(field, fields.Decimal):
            metadata = {**field.metadata, "type": "string", "format": "decimal"}
            attrs[name] = fields.Decimal(as_string=True, allow_none=field.allow_none, metadata=metadata)
        elif (stored := values.stored_form(field)) is not None:
            attrs[name] = stored
    return type(f"{component_name(entity)}Record", (base,), attrs)


def is_text(column) -> bool:
    return isinstance(base_type(column), String)
