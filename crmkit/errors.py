"""Error pages for people and JSON errors for programs, in one format and the user's language."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError

TITLES = {
    400: _l("The request could not be understood"),
    401: _l("Please log in"),
    403: _l("You do not have access to this page"),
    404: _l("Page not found"),
    405: _l("This action is not allowed here"),
    409: _l("Someone else changed this in the meantime"),
    413: _l("The upload is too large"),
    429: _l("Too many attempts; please wait a moment"),
    500: _l("Something went wrong on our side"),
    503: _l("The service is temporarily unavailable"),
}


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def handle_http_error(error: HTTPException):
    code = error.code or 500
    title = str(TITLES.get(code, error.name))
    if wants_json():
        return jsonify(error={"code": code, "message": title, "fields": {}}), code
    return render_template("errors.html", code=code, title=title), code


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(InternalServerError, handle_http_error)
