"""The OpenAPI 3 document of the REST API, built from the same schemas that validate its input.

It is built with apispec and its marshmallow plugin rather than flask-smorest: smorest wants
one view class per resource declared at import time and registers its own app-wide error
handler for every HTTP error, while crmkit makes its routes per entity when the app starts and
answers errors in one format of its own (crmkit.errors). The document is built per request,
because admins add custom fields without a restart, and shows the entities the caller may view.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app
from flask_login import current_user

import crmkit
from crmkit.core.api import query, schemas, values
from crmkit.core.api.views import API_PREFIX
from crmkit.db import MAX_ID
from crmkit.entities.service import Records

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "integer", "description": "The HTTP status."},
                "message": {"type": "string", "description": "What went wrong, in the caller's language."},
                "fields": {
                    "type": "object",
                    "description": "Each bad field or query parameter (a group's field as group.field; "
                                   "_body: the body; _schema: the record as a whole) with its messages.",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
                "allowed": {
                    "type": "array",
                    "description": "On 422 for a move its workflow forbids: the states allowed from the current one.",
                    "items": {
                        "type": "object",
                        "required": ["key", "label"],
                        "properties": {"key": {"type": "string"}, "label": {"type": "string"}},
                    },
                },
                "current": {"type": "object", "description": "On 409: the record as it is saved now."},
            },
        }
    },
}
RESPONSES = {
    "BadRequest": "The query or the request can't be used; see fields.",
    "Unauthorized": "No session and no valid API token.",
    "Forbidden": "The caller lacks the permission this needs.",
    "NotFound": "No such record, or the caller may not see it.",
    "Invalid": "Some fields are not valid; each has its messages in the caller's language.",
    "Conflict": "Someone saved a newer version; the current record is in error.current.",
    "PreconditionRequired": "Send the version you read, in If-Match.",
}
# An ETag as GET gives it ("3"), weak (W/"3") or bare (3): what the server reads from If-Match.
ETAG_PATTERN = '^(?:(?:W/)?"[0-9]{1,18}"|[0-9]{1,18})$'


def error_response(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/responses/{name}"}


def ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def build(entities) -> dict[str, Any]:
    plugin = MarshmallowPlugin()
    spec = APISpec(
        title="crmkit",
        version=crmkit.__version__,
        openapi_version="3.0.3",
        plugins=[plugin],
        info={"description": "Every entity's records: list, get, create, update, archive and restore."},
        servers=[{"url": "/"}],
        security=[{"bearer": []}, {"session": []}],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer", "description": "An API token."})
    spec.components.security_scheme(
        "session", {"type": "apiKey", "in": "cookie", "name": "session", "description": "Writes need X-CSRFToken."}
    )
    plugin.converter.add_attribute_function(values.documented)
    spec.components.schema("Error", ERROR)
    for name, description in RESPONSES.items():
        spec.components.response(name, {"description": description, **json_content(ref("Error"))})
    shown = []
    for entity in entities:
        records = Records(entity, current_user)
        if records.can("view"):
            add_entity(spec, entity, records.extension_groups(), plugin.converter)
            shown.append((entity, records.extension_groups()))
    document = spec.to_dict()
    keys = [entity.key for entity in entities]
    for entity, parts in shown:
        add_input_rules(document, entity, parts, keys)
        for paths in current_app.extensions["crmkit"].pm.hook.api_paths(entity=entity, user=current_user):
            document["paths"].update(paths or {})  # operations plugins serve under the entity's path
    return plain_numbers(document)


def add_input_rules(document: dict[str, Any], entity, parts, keys: list[str]) -> None:
    """What the input components can't take from the fields alone: the limits of the columns the
    values are stored in, the schema's own rules across fields (``schema_rules``), and each
    pair of fields naming a record of any entity
    (``about_entity`` and ``about_id``), set both or neither."""
    components = document["components"]["schemas"]
    name = schemas.component_name(entity)
    declared = schemas.input_schema(entity, parts)._declared_fields
    values.stored_nullable(entity.model, components.get(name, {}).get("properties", {}))
    for component in (f"{name}Input", f"{name}Patch"):
        schema = components.get(component, {})
        properties = schema.get("properties", {})
        for field, limits in values.column_limits(entity.model, declared).items():
            if field in properties:
                values.tighter(properties[field], limits)
        if rules := schema_rules(entity.schema, partial=component.endswith("Patch")):
            schema.setdefault("allOf", []).extend(rules)
        pairs = [(n, f.metadata["link_entity_field"]) for n, f in declared.items() if f.metadata.get("link_entity_field")]
        for id_field, entity_field in pairs:
            schema.setdefault("allOf", []).append({"anyOf": [
                {"properties": {entity_field: {"enum": [None, ""]}, id_field: {"enum": [None]}}},
                {"required": [entity_field, id_field],
                 "properties": {entity_field: {"type": "string", "enum": keys}, id_field: {"type": "integer"}}},
            ], "description": f"{entity_field} and {id_field}: both or neither."})


def schema_rules(schema, partial: bool) -> list[dict[str, Any]]:
    """A schema's own rules across fields, its ``openapi["allOf"]``: a dict holds them for a
    whole record; a function ``openapi(partial)`` gives them when the document is built (rules
    read from the database), for a whole record and for a change."""
    rules = getattr(schema, "openapi", None) or {}
    if callable(rules):
        return list(rules(partial).get("allOf", []))
    return [] if partial else list(rules.get("allOf", []))


def plain_numbers(value: Any) -> Any:
    """apispec copies Decimal bounds (``Range(min=Decimal(0))``) as they are; JSON wants numbers."""
    if isinstance(value, dict):
        return {key: plain_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain_numbers(item) for item in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def add_entity(spec: APISpec, entity, parts: list, converter) -> None:
    name = schemas.component_name(entity)
    spec.components.schema(f"{name}Input", schema=schemas.input_schema(entity, parts))
    spec.components.schema(f"{name}Patch", schema=schemas.patch_schema(entity, parts)(partial=True))
    spec.components.schema(name, schema=schemas.output_schema(entity, parts))
    spec.components.schema(
        f"{name}Page",
        {
            "type": "object",
            "required": ["items", "total", "total_capped", "next", "prev"],
            "properties": {
                "items": {"type": "array", "items": ref(name)},
                "total": {"type": "integer", "description": "Matching records, counted up to a cap."},
                "total_capped": {"type": "boolean", "description": "True when there are more than total."},
                "next": {"type": "string", "format": "uri", "nullable": True,
                         "description": "The next page's URL, or null; its cursor is opaque: follow it as it is."},
                "prev": {"type": "string", "format": "uri", "nullable": True,
                         "description": "The previous page's URL, or null; its cursor is opaque."},
            },
        },
    )
    label, plural = str(entity.label), str(entity.label_plural)
    tag = entity.key
    base = f"{API_PREFIX}/{entity.path}"
    record_id = {
        "in": "path",
        "name": "record_id",
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    }
    if_match = {
        "in": "header",
        "name": "If-Match",
        "required": True,
        "schema": {"type": "string", "pattern": ETAG_PATTERN},
        "description": 'The version you read: the ETag of GET, such as "3". Missing: 428; malformed: 400.',
    }
    one = {"200": {"description": label, **json_content(ref(name))}}
    common = {"401": error_response("Unauthorized"), "403": error_response("Forbidden")}
    item_errors = {**common, "404": error_response("NotFound")}
    list_params = query.parameters(entity, converter)
    spec.path(
        path=base,
        operations={
            "get": {
                "tags": [tag],
                "summary": f"List {plural}",
                "description": "Pages follow the cursors in next and prev (also the Link header).",
                "operationId": f"{entity.endpoint_prefix}_list",
                "parameters": list_params,
                "responses": {
                    "200": {"description": plural, **json_content(ref(f"{name}Page"))},
                    "400": error_response("BadRequest"),
                    **common,
                },
            },
            "post": {
                "tags": [tag],
                "summary": f"Create a {label}",
                "operationId": f"{entity.endpoint_prefix}_create",
                "requestBody": {"required": True, **json_content(ref(f"{name}Input"))},
                "responses": {
                    "201": {"description": label, **json_content(ref(name))},
                    "400": error_response("BadRequest"),
                    "422": error_response("Invalid"),
                    **common,
                },
            },
        },
    )
    spec.path(
        path=f"{base}/{{record_id}}",
        parameters=[record_id],
        operations={
            "get": {"tags": [tag], "summary": f"Get a {label}", "operationId": f"{entity.endpoint_prefix}_get",
                    "responses": {**one, **item_errors}},
            "patch": {
                "tags": [tag],
                "summary": f"Change a {label}",
                "operationId": f"{entity.endpoint_prefix}_update",
                "parameters": [if_match],
                "requestBody": {"required": True, **json_content(ref(f"{name}Patch"))},
                "responses": {
                    **one,
                    **item_errors,
                    "400": error_response("BadRequest"),
                    "409": error_response("Conflict"),
                    "422": error_response("Invalid"),
                    "428": error_response("PreconditionRequired"),
                },
            },
            "delete": {
                "tags": [tag],
                "summary": f"Archive a {label}",
                "operationId": f"{entity.endpoint_prefix}_archive",
                "parameters": [if_match],
                "responses": {**one, **item_errors, "400": error_response("BadRequest"), "409": error_response("Conflict"),
                              "428": error_response("PreconditionRequired")},
            },
        },
    )
    spec.path(
        path=f"{base}/{{record_id}}/restore",
        parameters=[record_id],
        operations={"post": {"tags": [tag], "summary": f"Restore an archived {label}",
                             "operationId": f"{entity.endpoint_prefix}_restore", "responses": {**one, **item_errors}}},
    )
    history = {
        "type": "object",
        "properties": {"items": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "action": {"type": "string"}, "user_id": {"type": "integer", "nullable": True},
            "at": {"type": "string", "format": "date-time"}, "changes": {"type": "object"}}}}},
    }
    spec.path(
        path=f"{base}/{{record_id}}/history",
        parameters=[record_id],
        operations={"get": {"tags": [tag], "summary": f"History of a {label}",
                            "operationId": f"{entity.endpoint_prefix}_history",
                            "responses": {"200": {"description": "Newest first", **json_content(history)}, **item_errors}}},
    )


def document():
    return build(current_app.extensions["crmkit"].entities)
