"""Attachments in the REST API, under each record's path:

- ``GET /api/v1/<path>/<id>/attachments``: the record's files (``?kind=`` narrows);
- ``POST`` the same with ``multipart/form-data`` (``files``, one or more; ``kind``): upload;
- ``GET .../attachments/<aid>``: the file itself, streamed; ``DELETE`` removes it.

Authentication, CSRF and the error format are the REST API's own (crmkit.core.api.views).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from crmkit import db
from crmkit.core.api import views as api_views
from crmkit.core.files import delivery, uploads
from crmkit.core.files.checks import Refused
from crmkit.core.files.models import Attachment
from crmkit.core.files.service import attachments_of, detach, too_large_upload
from crmkit.db import MAX_ID
from crmkit.entities.errors import Forbidden, NotFound, RecordError
from crmkit.errors import json_error
from crmkit.i18n import gettext as _

PREFIX = api_views.API_PREFIX


def dump(row: Attachment) -> dict[str, Any]:
    return {"id": row.id, "kind": row.kind, "position": row.position, "name": row.original_name,
            "filename": row.filename, "title": row.title, "content_type": row.content_type, "size": row.size,
            "sha256": row.sha256, "width": row.width, "height": row.height, "created_by_id": row.created_by_id,
            "created_at": row.created_at.isoformat(), "archived": row.archived_at is not None}


def record_of(entity_key: str, record_id: int, edit: bool = False) -> tuple[Any, Any]:
    records = api_views.records_of(entity_key)
    record = api_views.get_record(records, record_id)
    if edit and (not records.can("edit") or record.is_archived):
        raise Forbidden(records.entity.permission("edit"))
    return records, record


def attachment_of(entity_key: str, record_id: int, attachment_id: int, edit: bool = False) -> Attachment:
    records, record = record_of(entity_key, record_id, edit)
    row = db.session().get(Attachment, attachment_id) if attachment_id <= MAX_ID else None
    if row is None or row.entity != records.entity.key or row.record_id != record.id:
        raise NotFound(attachment_id)
    return row


def list_view(entity_key: str, record_id: int):
    records, record = record_of(entity_key, record_id)
    kind = request.args.get("kind")
    if kind is not None and kind not in uploads.KINDS:
        return json_error(400, _("Not a valid kind of file."), {"kind": [_("Not a valid kind of file.")]})
    return {"items": [dump(row) for row in attachments_of(records.entity, record.id, kind)]}


def upload_view(entity_key: str, record_id: int):
    records, record = record_of(entity_key, record_id, edit=True)
    try:
        made = uploads.receive(records.entity, record.id, request.files.getlist("files"), current_user,
                               request.form.get("kind") or "file")
    except RequestEntityTooLarge:
        message = too_large_upload()
        return json_error(413, message, {"files": [message]})
    except Refused as error:
        return json_error(error.status, error.message, {"files": [error.message]})
    return {"items": [dump(row) for row in made]}, 201


def download_view(entity_key: str, record_id: int, attachment_id: int):
    return delivery.download(attachment_of(entity_key, record_id, attachment_id))


def delete_view(entity_key: str, record_id: int, attachment_id: int):
    detach(attachment_of(entity_key, record_id, attachment_id, edit=True), user=current_user)
    db.session().commit()
    return "", 204


def http_error(error: HTTPException):
    if error.code == 413:
        message = too_large_upload()
        return json_error(413, message, {"files": [message]})
    return json_error(error.code or 500)


def register(app) -> None:
    bp = Blueprint("files_api", __name__, url_prefix=PREFIX)
    bp.url_value_preprocessor(lambda endpoint, _values: uploads.limit_request() if endpoint.endswith("_upload") else None)
    bp.before_request(api_views.authenticate)
    bp.register_error_handler(RecordError, api_views.record_error)
    bp.register_error_handler(CSRFError, api_views.csrf_error)
    bp.register_error_handler(HTTPException, http_error)
    for entity in app.extensions["crmkit"].entities:
        base, name, key = f"/{entity.path}/<int:record_id>/attachments", entity.endpoint_prefix, {"entity_key": entity.key}
        bp.add_url_rule(base, f"{name}_list", list_view, defaults=key, methods=["GET"])
        bp.add_url_rule(base, f"{name}_upload", upload_view, defaults=key, methods=["POST"])
        one = f"{base}/<int:attachment_id>"
        bp.add_url_rule(one, f"{name}_download", download_view, defaults=key, methods=["GET"])
        bp.add_url_rule(one, f"{name}_delete", delete_view, defaults=key, methods=["DELETE"])
    app.extensions["csrf"].exempt(bp)
    app.register_blueprint(bp)


ATTACHMENT = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"}, "kind": {"type": "string"}, "position": {"type": "integer"},
        "name": {"type": "string", "description": "The name as uploaded, for display."},
        "filename": {"type": "string", "description": "The name made safe; what a download is called."},
        "title": {"type": "string", "nullable": True}, "content_type": {"type": "string"},
        "size": {"type": "integer"}, "sha256": {"type": "string"},
        "width": {"type": "integer", "nullable": True}, "height": {"type": "integer", "nullable": True},
        "created_by_id": {"type": "integer", "nullable": True}, "created_at": {"type": "string", "format": "date-time"},
        "archived": {"type": "boolean", "description": "The record is archived; its files with it."},
    },
}


def paths(entity: Any) -> dict[str, Any]:
    """The OpenAPI path items of an entity's attachments (the ``api_paths`` hook)."""
    base, tag, name = f"{PREFIX}/{entity.path}/{{record_id}}/attachments", entity.key, entity.endpoint_prefix
    ident = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    record_id = {"in": "path", "name": "record_id", "required": True, "schema": ident}
    attachment_id = {"in": "path", "name": "attachment_id", "required": True, "schema": ident}
    errors = {code: {"$ref": f"#/components/responses/{ref}"}
              for code, ref in (("401", "Unauthorized"), ("403", "Forbidden"), ("404", "NotFound"))}
    refused = {"$ref": "#/components/responses/Invalid"}
    items = {"application/json": {"schema": {"type": "object", "properties": {"items": {"type": "array", "items": ATTACHMENT}}}}}
    upload = {"multipart/form-data": {"schema": {"type": "object", "required": ["files"], "properties": {
        "files": {"type": "array", "minItems": 1, "maxItems": uploads.MAX_FILES, "items": {"type": "string", "format": "binary"}},
        "kind": {"type": "string", "enum": list(uploads.KINDS), "default": "file"}}}}}
    return {
        base: {"parameters": [record_id], "get": {
            "tags": [tag], "summary": "The record's attachments, in order", "operationId": f"{name}_attachments",
            "parameters": [{"in": "query", "name": "kind", "required": False, "schema": {"type": "string", "enum": list(uploads.KINDS)}}],
            "responses": {"200": {"description": "Attachments", "content": items}, "400": refused, **errors}},
            "post": {"tags": [tag], "summary": "Attach files (all or none are saved)", "operationId": f"{name}_attach",
                     "requestBody": {"required": True, "content": upload},
                     "responses": {"201": {"description": "Attached", "content": items}, "400": refused,
                                   "413": refused, "415": refused, "422": refused, **errors}}},
        f"{base}/{{attachment_id}}": {"parameters": [record_id, attachment_id], "get": {
            "tags": [tag], "summary": "Download an attachment", "operationId": f"{name}_attachment_download",
            "responses": {"200": {"description": "The file, streamed; Content-Disposition names it",
                                  "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
                          **errors}},
            "delete": {"tags": [tag], "summary": "Delete an attachment", "operationId": f"{name}_attachment_delete",
                       "responses": {"204": {"description": "Deleted"}, **errors}}},
    }



