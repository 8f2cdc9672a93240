"""Request bodies in JSON, read once for every endpoint: nesting deeper than ``MAX_DEPTH`` and
undecodable bodies are a 400 naming ``_body``, never a RecursionError deep in a view.

Installed by ``init_app`` as the app's JSON provider and request class, so ``request.get_json()``
everywhere (the API, webhooks, plugins' endpoints) gets the same limits.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Request
from flask.json.provider import DefaultJSONProvider

from crmkit.errors import BadInput
from crmkit.i18n import gettext as _

MAX_DEPTH = 32  # records nest three levels (group, field, list); webhooks' payloads a few more


class NestedTooDeeply(ValueError):
    """A JSON document nested deeper than MAX_DEPTH."""


def deeper_than(value: Any, limit: int) -> bool:
    """Whether arrays and objects in ``value`` nest more than ``limit`` levels; level by level,
    without recursion."""
    level, depth = [value], 0
    while level := [item for item in level if isinstance(item, (dict, list))]:
        depth += 1
        if depth > limit:
            return True
        level = [child for item in level for child in (item.values() if isinstance(item, dict) else item)]
    return False


class LimitedJSONProvider(DefaultJSONProvider):
    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        if isinstance(s, (bytes, bytearray)):
            s = s.decode("utf-8")  # RFC 8259: UTF-8 only; the json module would guess UTF-16 and BOMs
        try:
            value = super().loads(s, **kwargs)
        except RecursionError:  # the decoder recurses per level: ~1000 levels end it
            raise NestedTooDeeply() from None
        if deeper_than(value, MAX_DEPTH):
            raise NestedTooDeeply()
        return value


class JSONRequest(Request):
    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        if e is None:  # not sent as JSON: Flask's 415
            return super().on_json_loading_failed(e)
        if isinstance(e, NestedTooDeeply):
            message = _("The JSON is nested more than %(depth)d levels deep.", depth=MAX_DEPTH)
        else:
            message = _("The body is not valid JSON in UTF-8.")
        raise BadInput({"_body": [message]}, message)


def init_app(app: Flask) -> None:
    app.json = LimitedJSONProvider(app)
    app.request_class = JSONRequest
