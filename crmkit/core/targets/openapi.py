"""The targets' operations in the REST API's OpenAPI document (``api_paths``), beside the deals."""

from __future__ import annotations

from typing import Any

from crmkit.core.api.views import API_PREFIX

ERRORS = {code: {"$ref": f"#/components/responses/{name}"} for code, name in
          (("401", "Unauthorized"), ("403", "Forbidden"))}
TARGET = {
    "type": "object",
    "required": ["id", "month", "user_id", "department_id", "amount", "currency", "updated_at"],
    "properties": {
        "id": {"type": "integer"},
        "month": {"type": "string", "pattern": r"^[0-9]{4}-[0-9]{2}$", "description": "YYYY-MM"},
        "user_id": {"type": "integer", "nullable": True, "description": "The employee's id, or null."},
        "department_id": {"type": "integer", "nullable": True, "description": "The department's id, or null."},
        "amount": {"type": "string", "format": "decimal", "description": "In currency; won deals in it count."},
        "currency": {"type": "string"},
        "updated_at": {"type": "string", "format": "date-time"},
    },
}
AMOUNT = {"type": "string", "format": "decimal", "pattern": r"^[0-9]{1,16}(\.[0-9]{1,2})?$"}
INPUT = {
    "type": "object",
    "required": ["month", "amount"],
    "additionalProperties": False,
    "description": "Exactly one of user_id and department_id.",
    "properties": {
        "month": {"type": "string", "pattern": r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$"},
        "user_id": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1, "nullable": True},
        "department_id": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1, "nullable": True},
        "amount": AMOUNT,
    },
    "oneOf": [
        {"required": ["user_id"], "properties": {"user_id": {"type": "integer"}, "department_id": {"enum": [None]}}},
        {"required": ["department_id"], "properties": {"department_id": {"type": "integer"}, "user_id": {"enum": [None]}}},
    ],
}


def body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def paths() -> dict[str, Any]:
    one = {"200": {"description": "The target", **body(TARGET)}}
    found = {**ERRORS, "404": {"$ref": "#/components/responses/NotFound"}}
    invalid = {"422": {"$ref": "#/components/responses/Invalid"}, "400": {"$ref": "#/components/responses/BadRequest"}}
    whole = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
    list_params = [
        {"in": "query", "name": "year", "schema": {"type": "integer", "minimum": 2000, "maximum": 2100},
         "description": "Targets of one year."},
        {"in": "query", "name": "user_id", "schema": whole, "description": "One employee's targets."},
        {"in": "query", "name": "department_id", "schema": whole, "description": "One department's targets."},
        {"in": "query", "name": "limit", "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
    ]
    page = {"type": "object", "required": ["items", "next"], "properties": {
        "items": {"type": "array", "items": TARGET},
        "next": {"type": "string", "format": "uri", "nullable": True, "description": "The next page; follow it as it is."}}}
    item = {"in": "path", "name": "target_id", "required": True, "schema": whole}
    return {
        f"{API_PREFIX}/targets": {
            "get": {"tags": ["targets"], "summary": "List monthly sales targets", "operationId": "targets_list",
                    "description": "Admins read all; a department's manager reads its own and those under it.",
                    "parameters": list_params,
                    "responses": {"200": {"description": "Targets by id", **body(page)},
                                  "400": {"$ref": "#/components/responses/BadRequest"}, **ERRORS}},
            "post": {"tags": ["targets"], "summary": "Set a month's target (admins)", "operationId": "targets_create",
                     "requestBody": {"required": True, **body(INPUT)},
                     "responses": {"201": {"description": "The target", **body(TARGET)}, **invalid, **ERRORS,
                                   "404": {"$ref": "#/components/responses/NotFound"},
                                   "409": {"description": "The month already has a target for that holder (month).",
                                           **body({"$ref": "#/components/schemas/Error"})}}},
        },
        f"{API_PREFIX}/targets/{{target_id}}": {
            "parameters": [item],
            "get": {"tags": ["targets"], "summary": "Get a target", "operationId": "targets_get",
                    "responses": {**one, **found}},
            "patch": {"tags": ["targets"], "summary": "Change a target's amount (admins)", "operationId": "targets_update",
                      "requestBody": {"required": True, **body({"type": "object", "required": ["amount"],
                                                                 "additionalProperties": False,
                                                                 "properties": {"amount": AMOUNT}})},
                      "responses": {**one, **found, **invalid}},
            "delete": {"tags": ["targets"], "summary": "Delete a target (admins)", "operationId": "targets_delete",
                       "responses": {"204": {"description": "Deleted"}, **found}},
        },
    }
