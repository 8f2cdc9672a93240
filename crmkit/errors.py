"""Error pages for people and JSON errors for programs, in one format and the user's language."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError

from crmkit.i18n import lazy_gettext as _l
from crmkit.validation import field_messages

TITLES = {
    400: _l("The request could not be understood"),
    401: _l("Please log in"),
    403: _l("You do not have access to this page"),
    404: _l("Page not found"),
    405: _l("This action is not allowed here"),
    409: _l("Someone else changed this in the meantime"),
    413: _l("The upload is too large"),
    422: _l("Some fields are not valid"),
    428: _l("Say which version you are changing"),
    429: _l("Too many attempts; please wait a moment"),
    500: _l("Something went wrong on our side"),
    503: _l("The service is temporarily unavailable"),
}


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def json_error(code: int, message: str | None = None, fields: dict | None = None, **extra):
    """The one error answer of everything under /api/: ``{"error": {"code", "message", "fields"}}``.

    ``fields`` maps each bad field (or query parameter) to its messages in the user's language,
    always as a flat object of lists of texts (``validation.field_messages``), whatever shape
    validation gave them; ``extra`` adds keys such as ``current`` (the saved record of a 409).
    """
    body = {"code": code, "message": message or str(TITLES.get(code, "")), "fields": field_messages(fields or {}),
            **extra}
    response = jsonify(error=body)
    response.status_code = code
    return response


class BadInput(BadRequest):
    """A 400 that names what is wrong: ``fields`` maps each field, parameter or header (``_body``
    for the request body) to its messages, as ``json_error`` shows them."""

    def __init__(self, fields: dict[str, list[str]], message: str | None = None):
        super().__init__(message)
        self.fields = fields


def handle_http_error(error: HTTPException):
    code = error.code or 500
    title = str(TITLES.get(code, error.name))
    if wants_json():
        response = json_error(code, title, getattr(error, "fields", None))
        if code == 401 and request.path.startswith("/api/"):
            response.headers["WWW-Authenticate"] = 'Bearer realm="crmkit"'
        return response, allowed_methods(error)
    return render_template("errors.html", code=code, title=title), code, allowed_methods(error)


def allowed_methods(error: HTTPException) -> dict[str, str]:
    """A 405's Allow header (RFC 9110 requires it), which werkzeug's own answer would carry."""
    return {"Allow": ", ".join(error.valid_methods)} if getattr(error, "valid_methods", None) else {}


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(InternalServerError, handle_http_error)
