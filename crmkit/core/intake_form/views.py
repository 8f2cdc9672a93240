"""The public side of web forms, at /intake/forms/<token>: what a visitor's browser posts to.

No login and no CSRF token (the page posting lives on another site); instead a form answers only
the sites its admin allowed (CORS, preflight included, and the Origin of plain posts), counts
posts per IP against a rate limit, and drops what a bot typed into the hidden honeypot field
while answering it as if accepted. A lead is acknowledged only once it is committed.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import force_locale
from limits import parse
from sqlalchemy import select, update
from werkzeug.exceptions import RequestEntityTooLarge

from crmkit import db, public
from crmkit.core.intake_form import receiving
from crmkit.core.intake_form.fields import available
from crmkit.core.intake_form.models import IntakeForm
from crmkit.core.leads.intake import receive
from crmkit.entities.errors import Invalid
from crmkit.errors import BadInput, json_error
from crmkit.i18n import gettext as _

DEFAULT_RATE_LIMIT = "10 per minute"
PREFLIGHT_MAX_AGE = "600"

bp = Blueprint("intake_form", __name__, url_prefix="/intake/forms", template_folder="templates")


def form_or_404(token: str) -> IntakeForm:
    found = db.session().execute(select(IntakeForm).where(IntakeForm.token == token)).scalar_one_or_none()
    if found is None or not found.active or found.archived_at is not None:
        abort(404)
    return found


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of an address, lower-cased, as browsers send Origin."""
    parts = urlsplit((url or "").strip().lower())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    default = {"http": 80, "https": 443}[parts.scheme]
    port = f":{parts.port}" if parts.port and parts.port != default else ""
    return f"{parts.scheme}://{parts.hostname}{port}"


def allowed(form: IntakeForm, origin: str | None) -> bool:
    """A request without Origin (a server, curl) or from crmkit itself, or from a listed site."""
    if not origin:
        return True
    given = origin_of(origin)
    return given == origin_of(request.host_url) or given in {origin_of(site) for site in form.allowed_origins}


def with_cors(response: Response, origin: str | None) -> Response:
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = "Origin"
    return response


def over_limit(form: IntakeForm) -> bool:
    """Counts this post; True when this IP has posted to this form more often than allowed."""
    limiter = current_app.extensions["crmkit.limiter"].limiter
    item = parse(str(current_app.config.get("INTAKE_FORM_RATE_LIMIT", DEFAULT_RATE_LIMIT)))
    prefix = str(current_app.config.get("RATELIMIT_KEY_PREFIX", "crmkit"))
    return not limiter.hit(item, prefix, "intake-form", form.token, request.remote_addr or "-")


def accepted(form: IntakeForm, origin: str | None, wants_json: bool) -> Any:
    """The same answer whether a lead was stored or a bot was caught."""
    if wants_json:
        body = {"status": "accepted", "message": form.thank_you or _("Thank you! We will contact you soon."),
                "redirect": form.redirect_url}
        return with_cors(jsonify(body), origin), 201
    return redirect(form.redirect_url or url_for("intake_form.thanks", token=form.token), 303)


def refused(form: IntakeForm, origin: str | None, wants_json: bool, code: int, errors: dict[str, list[str]]):
    if wants_json:
        return with_cors(json_error(code, fields=errors), origin)
    asked = available()
    labels = {key: asked[key].label if key in asked else key for key in errors}
    return render_template("intake_form/refused.html", form=form, errors=errors, labels=labels, code=code,
                           back=request.referrer if origin_of(request.referrer or "") else None), code


@bp.route("/<token>", methods=["OPTIONS"])
@public
def preflight(token: str):
    """A browser asking whether a page on another site may post JSON here."""
    form = form_or_404(token)
    origin = request.headers.get("Origin")
    if not origin or not allowed(form, origin):
        return Response(status=403)
    response = with_cors(Response(status=204), origin)
    response.headers["Access-Control-Allow-Methods"] = "POST"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type"
    response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    return response


@bp.route("/<token>", methods=["POST"])
@public
def submit(token: str):
    form = form_or_404(token)
    origin = request.headers.get("Origin")
    wants_json = receiving.is_json(request) or request.accept_mimetypes.best == "application/json"
    with force_locale(form.language):
        if not allowed(form, origin):
            return refused(form, None, wants_json, 403, {"_origin": [_("This site may not send this form.")]})
        if over_limit(form):
            return refused(form, origin, wants_json, 429, {"_body": [_("Too many requests from your address; please try again in a minute.")]})
        try:
            body = receiving.body_of(request)
        except RequestEntityTooLarge:
            size = receiving.max_bytes() // 1024
            return refused(form, origin, wants_json, 413, {"_body": [_("The form is too large: at most %(size)d KB.", size=size)]})
        except BadInput as error:
            return refused(form, origin, wants_json, 400, error.fields)
        if (receiving.as_text(body.get(receiving.HONEYPOT)) or "").strip():
            caught(form)
            return accepted(form, origin, wants_json)
        asked = {key: field for key, field in available().items() if key in form.fields}
        try:
            lead_in = receiving.incoming(form, asked, body, request)
            receive(lead_in)
        except receiving.Refused as error:
            db.session().rollback()
            return refused(form, origin, wants_json, 422, error.errors)
        except Invalid as error:
            db.session().rollback()
            return refused(form, origin, wants_json, 422, error.messages())
        db.session().commit()
        return accepted(form, origin, wants_json)


def caught(form: IntakeForm) -> None:
    """Count a bot for the admin, in one UPDATE; nothing of what it sent is kept."""
    db.session().execute(update(IntakeForm).where(IntakeForm.id == form.id)
                         .values(honeypot_count=IntakeForm.honeypot_count + 1))
    db.session().commit()


@bp.route("/<token>/thanks")
@public
def thanks(token: str):
    form = form_or_404(token)
    with force_locale(form.language):
        return render_template("intake_form/thanks.html", form=form)
