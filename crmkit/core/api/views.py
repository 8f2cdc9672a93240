"""The REST endpoints every entity gets, under ``/api/v1/<entity path>``.

``GET`` lists (filters, sort, ``q``, cursor paging) and ``POST`` creates; ``GET``, ``PATCH`` and
``DELETE`` (which archives) act on ``/<id>``; ``POST /<id>/restore`` restores and
``GET /<id>/history`` gives the record's history. Everything goes through
``crmkit.entities.service.Records``, so permissions, visibility, validation, optimistic locking,
history and events are the same as on the pages. Errors use the one format of crmkit.errors.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, abort, current_app, g, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, StatementError

from crmkit import db
from crmkit.db import MAX_ID
from crmkit.core.api import query, schemas
from crmkit.core.api.tokens import bearer_token, user_for_token
from crmkit.entities import listing
from crmkit.entities.errors import Conflict, Forbidden, Invalid, NotFound, RecordError
from crmkit.entities.service import Records
from crmkit.entities.fields import typed_input
from crmkit.errors import BadInput, json_error
from crmkit.i18n import gettext as _

try:  # the search engine (crmkit.search); without it ``q`` is refused, never silently ignored
    from crmkit import search
except ImportError:  # pragma: no cover - depends on which parts of crmkit are installed
    search = None

API_PREFIX = "/api/v1"
MAX_VERSION = 10**18 - 1
ETAG = re.compile(r'(?:W/)?"([0-9]{1,18})"|([0-9]{1,18})')
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
OPERATORS = ("", "gte", "lte", "prefix")
DRILL_OPERATORS = ("lt", "in")  # what a report's drill-down adds (``closed_at__lt``, ``owner_id__in``)


def records_of(entity_key: str) -> Records:
    return Records(current_app.extensions["crmkit"].entities.get(entity_key), current_user)


def dump(records: Records, record: Any, schema=None) -> dict[str, Any]:
    """A record through its entity's schema (with other plugins' fields) plus the record fields."""
    schema = schema or schemas.output_schema(records.entity, records.extension_groups())()
    return schema.dump(records.values_of(record))


def record_response(records: Records, record: Any, status: int = 200):
    response = current_app.json.response(dump(records, record))
    response.status_code = status
    response.headers["ETag"] = f'"{record.version}"'
    return response


def get_record(records: Records, record_id: int) -> Any:
    if record_id > MAX_ID:
        raise NotFound(record_id)
    return records.get(record_id)


# request checks
def authenticate():
    """A bearer token decides who is calling, even beside a session cookie; a bad one is a 401.

    Requests with a token skip CSRF (a browser never adds the header by itself); session
    requests must send the CSRF token in ``X-CSRFToken`` to change anything.
    """
    token = bearer_token(request)
    if token is not None and g.get("crmkit_api_token") is None:
        found = user_for_token(db.session(), token)
        if found is None:
            abort(401)
        current_app.login_manager._update_request_context_with_user(found[0])
        g.crmkit_api_token = found[1]
    if request.method in WRITE_METHODS and g.get("crmkit_api_token") is None:
        current_app.extensions["csrf"].protect()
    bad = [name for name, value in request.args.items(multi=True) if not clean_text(value)]
    if bad:
        return json_error(400, _("The request has values that are not allowed."), {n: [_("Not a valid value.")] for n in bad})
    return None


def clean_text(value: str) -> bool:
    """No NUL characters or lone surrogates: databases refuse them, so they never reach one."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def unclean_fields(data: Any, path: str = "") -> list[str]:
    if isinstance(data, str):
        return [] if clean_text(data) else [path or "_body"]
    if isinstance(data, dict):
        return [p for key, value in data.items() for p in unclean_fields(value, f"{path}.{key}" if path else str(key))]
    if isinstance(data, list):
        return [p for item in data for p in unclean_fields(item, path)]
    return []


def json_body() -> dict[str, Any]:
    """The body as a JSON object; undecodable or too deeply nested JSON is a 400 (crmkit.json_input)."""
    data = request.get_json() if request.is_json else None
    if not isinstance(data, dict):
        raise Invalid({"_body": [_("Send a JSON object.")]})
    bad = unclean_fields(data)
    if bad:
        raise Invalid({name: [_("Not a valid value.")] for name in bad})
    return data


def expected_version(data: dict[str, Any]) -> int:
    """The version the client read: the ``If-Match`` header (an ETag) or a ``version`` field."""
    header = if_match_version()
    field_value = data.pop("version", None)
    if header is not None:
        return header
    if field_value is None:
        raise Precondition()
    if isinstance(field_value, bool) or not isinstance(field_value, int) or not 0 <= field_value <= MAX_VERSION:
        raise Invalid({"version": [_("Not a valid integer.")]})
    return field_value


def if_match_version() -> int | None:
    """The version an ``If-Match`` header names (``"3"``, ``W/"3"`` or ``3``), None without one;
    anything else is a 400, so a malformed header never passes for a missing one."""
    raw = request.headers.get("If-Match", "").strip()
    if not raw:
        return None
    found = ETAG.fullmatch(raw)
    if found is None:
        raise BadInput({"If-Match": [_('Send the ETag of the version you read, such as "3".')]})
    return int(found.group(1) or found.group(2))


class Precondition(RecordError):
    status = 428


# views
def list_view(entity_key: str):
    records = records_of(entity_key)
    entity = records.entity
    problems = query_problems(entity, request.args)
    if problems:
        return json_error(400, _("This list can't be shown that way."), problems)
    archived = request.args.get("archived", "").lower() in ("1", "true")
    query = listing.ListQuery.from_args(request.args, entity)
    statement = records.select(include_archived=archived)
    q = request.args.get("q", "").strip()
    if q:
        if search is None:
            return json_error(400, _("Search is not available."), {"q": [_("Search is not available.")]})
        statement = statement.where(entity.model.id.in_(search.matching_ids(entity, q, db=records.db)))
    try:
        page = listing.run(records.db, statement, entity, query, records.extension_groups())
    except listing.ListError as error:
        return json_error(400, _("This list can't be shown that way."), {error.field: [_("Not a valid value.")]})
    except (DataError, StatementError, OverflowError, TypeError):
        records.db.rollback()
        field = "before" if query.before else "after" if query.after else "_query"
        return json_error(400, _("This list can't be shown that way."), {field: [_("Not a valid value.")]})
    links = {"next": page_link(after=page.next_cursor), "prev": page_link(before=page.prev_cursor)}
    schema = schemas.output_schema(entity, records.extension_groups())()
    response = current_app.json.response(
        {
            "items": [dump(records, record, schema) for record in page.items],
            "total": page.total,
            "total_capped": page.total_capped,
            **links,
        }
    )
    link_header = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items() if url)
    if link_header:
        response.headers["Link"] = link_header
    return response


def query_problems(entity, args) -> dict[str, list[str]]:
    """Each query parameter the list can't use, with a message in the user's language."""
    problems: dict[str, list[str]] = {}
    columns = entity.model.__table__.c
    for key in args:
        if key in schemas.LIST_PARAMETERS:
            continue
        name, _sep, op = key.partition("__")
        if "." in key or listing.named_condition(key) is not None:
            continue  # another plugin's field or named condition (``in_report``); listing checks its value
        if name not in entity.filters and not listing.drillable(entity.model.__table__, name):
            problems[key] = [_("The list cannot be filtered by this.")]
        elif op not in (*OPERATORS, *DRILL_OPERATORS) or (op == "prefix" and not schemas.is_text(columns[name])):
            problems[key] = [_("Unknown filter operator.")]
    sort = args.get("sort")
    if sort and sort.lstrip("-") not in ("id", *entity.sort_keys):
        problems["sort"] = [_("The list cannot be sorted this way.")]
    limit = args.get("limit")
    if limit is not None and (not limit.isdigit() or not 1 <= int(limit) <= listing.MAX_LIMIT):
        problems["limit"] = [_("Must be between %(min)d and %(max)d.", min=1, max=listing.MAX_LIMIT)]
    for key, messages in query.problems(entity, args).items():  # each value as the document describes it
        problems.setdefault(key, messages)
    return problems


def page_link(**cursor) -> str | None:
    (name, value), = cursor.items()
    if value is None:
        return None
    args = {k: v for k, v in request.args.items() if k not in ("after", "before")}
    return url_for(request.endpoint, **{**args, name: value}, _external=True)


def create_view(entity_key: str):
    records = records_of(entity_key)
    records.require("create")
    with typed_input():
        record = records.create(json_body())
    response = record_response(records, record, 201)
    response.headers["Location"] = url_for(request.endpoint.removesuffix("_create") + "_item", record_id=record.id)
    return response


def get_view(entity_key: str, record_id: int):
    records = records_of(entity_key)
    return record_response(records, get_record(records, record_id))


def update_view(entity_key: str, record_id: int):
    records = records_of(entity_key)
    record = get_record(records, record_id)
    records.require("edit")
    data = json_body()
    version = expected_version(data)
    with typed_input():
        record = records.update(record, data, version=version)
    return record_response(records, record)


def archive_view(entity_key: str, record_id: int):
    records = records_of(entity_key)
    record = get_record(records, record_id)
    records.require("archive")
    version = if_match_version()
    if version is None:
        raise Precondition()
    return record_response(records, records.archive(record, version=version))


def restore_view(entity_key: str, record_id: int):
    records = records_of(entity_key)
    record = get_record(records, record_id)
    return record_response(records, records.restore(record))


def history_view(entity_key: str, record_id: int):
    records = records_of(entity_key)
    record = get_record(records, record_id)
    changes = records.history(record, limit=200)
    return {
        "items": [
            {"id": c.id, "action": c.action, "user_id": c.user_id, "at": c.at.isoformat(), "changes": c.changes}
            for c in changes
        ]
    }


# errors
def record_error(error: RecordError):
    if isinstance(error, Invalid):
        allowed = {"allowed": error.allowed} if hasattr(error, "allowed") else {}  # a workflow's refused move
        return json_error(422, _("Some fields are not valid."), error.fields, **allowed)
    if isinstance(error, Conflict):
        records = records_of(request.view_args["entity_key"])
        message = _("Someone changed this record in the meantime; nothing was overwritten. The current version is attached.")
        return json_error(409, message, current=dump(records, error.current))
    if isinstance(error, Forbidden):
        return json_error(403, _("You do not have permission to do this."))
    if isinstance(error, NotFound):
        return json_error(404, _("No such record."))
    if isinstance(error, Precondition):
        if request.method == "DELETE":
            message = _("Send the version you read, in the If-Match header.")
        else:
            message = _("Send the version you read, in the If-Match header or a version field.")
        return json_error(428, message, {"version": [_("Missing data for required field.")]})
    return json_error(error.status)


def csrf_error(error: CSRFError):
    message = _("Send the CSRF token in the X-CSRFToken header, or use an API token.")
    return json_error(400, message, {"csrf_token": [message]})


def build_blueprint(entities) -> Blueprint:
    bp = Blueprint("api", __name__, url_prefix=API_PREFIX)
    bp.before_request(authenticate)
    bp.register_error_handler(RecordError, record_error)
    bp.register_error_handler(CSRFError, csrf_error)
    for entity in entities:
        base, name, key = f"/{entity.path}", entity.endpoint_prefix, {"entity_key": entity.key}
        bp.add_url_rule(base, f"{name}_collection", list_view, defaults=key, methods=["GET"])
        bp.add_url_rule(base, f"{name}_create", create_view, defaults=key, methods=["POST"])
        item = f"{base}/<int:record_id>"
        bp.add_url_rule(item, f"{name}_item", get_view, defaults=key, methods=["GET"])
        bp.add_url_rule(item, f"{name}_update", update_view, defaults=key, methods=["PATCH"])
        bp.add_url_rule(item, f"{name}_archive", archive_view, defaults=key, methods=["DELETE"])
        bp.add_url_rule(f"{item}/restore", f"{name}_restore", restore_view, defaults=key, methods=["POST"])
        bp.add_url_rule(f"{item}/history", f"{name}_history", history_view, defaults=key, methods=["GET"])
    return bp
