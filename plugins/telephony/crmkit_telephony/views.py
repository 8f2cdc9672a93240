"""The webhook providers post to, the missed-call queue agents work from, and the admins' page of
extensions and of calls to extensions nobody answers for."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from sqlalchemy import or_, select

from crmkit import api
from crmkit_telephony import calls, live
from crmkit_telephony.events import Refused
from crmkit_telephony.models import Call, Extension

messages = api.Messages(__name__)
_ = messages.gettext
_l = messages.lazy_gettext
OUTCOMES = {"answered": _l("Answered"), "missed": _l("Missed")}
MAX_BYTES = 256 * 1024
PAGE_SIZE = 50
VIEW, VIEW_ALL, MANAGE = "telephony.calls.view", "telephony.calls.view_all", "telephony.manage"

bp = Blueprint("telephony", __name__, url_prefix="/telephony", template_folder="templates")
hook = Blueprint("telephony_webhook", __name__, url_prefix="/telephony/webhook")


def providers() -> dict:
    return {p.key: p for found in api.hooks().telephony_providers() for p in found}


def refused(status: int, errors: dict):
    first = next(iter(errors.values()))[0]
    return jsonify(error=first, fields=errors), status


@hook.route("/<key>", methods=["POST"])
@api.public
def deliver(key: str):
    provider = providers().get(key)
    if provider is None:
        abort(404)
    if request.content_length is not None and request.content_length > MAX_BYTES:
        return refused(413, {"_body": [_("The body is larger than %(size)d KB.", size=MAX_BYTES // 1024)]})
    body = request.stream.read(MAX_BYTES + 1)
    if len(body) > MAX_BYTES:
        return refused(413, {"_body": [_("The body is larger than %(size)d KB.", size=MAX_BYTES // 1024)]})
    try:
        events = provider.parse(request.headers, body, current_app.config)
    except Refused as error:
        return refused(error.status, error.errors)
    try:
        applied = [calls.apply(provider, event) for event in events]
    except api.RecordError as error:  # the author's role may not write activities, say
        api.session().rollback()
        fields = getattr(error, "fields", None) or {"_activity": [str(error)]}
        return refused(422, fields)
    for event, call in zip(events, applied, strict=True):  # the incoming-call cards of the agents' pages
        live.announce(provider, event, call)
    return jsonify(status="accepted", calls=[call.id for call in applied]), 202


def page_number() -> int:
    return max(1, request.args.get("page", 1, type=int) or 1)


@bp.route("/missed")
def queue():
    user = api.current_user()
    api.require(user, VIEW)
    everyone = api.can(user, VIEW_ALL)
    statement = select(Call).where(Call.queued.is_(True))
    if not everyone or request.args.get("mine"):
        statement = statement.where(or_(Call.user_id == user.id, Call.user_id.is_(None)))
    page = page_number()
    rows = list(api.session().execute(statement.order_by(Call.callback_due_at, Call.id)
                                      .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).scalars())
    return render_template("telephony/queue.html", rows=rows[:PAGE_SIZE], more=len(rows) > PAGE_SIZE, page=page,
                           everyone=everyone, now=datetime.now(UTC), utc=calls.utc, about_url=about_url)


def about_url(call: Call) -> str | None:
    return api.detail_url(call.about_entity, call.about_id) if call.about_entity else None


@bp.route("/missed/<int:call_id>/handled", methods=["POST"])
def handled(call_id: int):
    user = api.current_user()
    api.require(user, VIEW)
    call = api.session().get(Call, call_id)
    if call is None or not call.queued:
        abort(404)
    if not api.can(user, VIEW_ALL) and call.user_id not in (None, user.id):
        abort(403)
    calls.mark_handled(call, user)
    flash(_("Taken off the queue."), "success")
    return redirect(url_for("telephony.queue"))


@bp.route("/admin")
def admin():
    api.require(api.current_user(), MANAGE)
    return admin_page({})


def admin_page(errors: dict, status: int = 200):
    session = api.session()
    page = page_number()
    unknown = list(session.execute(select(Call).where(Call.unknown_extension.is_(True))
                                   .order_by(Call.started_at.desc(), Call.id.desc())
                                   .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).scalars())
    extensions = list(session.execute(select(Extension).order_by(Extension.provider, Extension.extension).limit(500)).scalars())
    users = {e.user_id: api.find_user(id=e.user_id) for e in extensions}
    return render_template("telephony/admin.html", unknown=unknown[:PAGE_SIZE], more=len(unknown) > PAGE_SIZE,
                           page=page, outcomes=OUTCOMES, extensions=extensions, users=users, providers=providers(), errors=errors,
                           typed=request.form if errors else {}), status


@bp.route("/admin/extensions", methods=["POST"])
def add_extension():
    """Map an extension to a user; calls already kept for it are given to that user."""
    api.require(api.current_user(), MANAGE)
    provider = request.form.get("provider", "")
    extension = (request.form.get("extension") or "").strip()
    user = api.find_user(email=request.form.get("email") or "")
    errors = {}
    if provider not in providers():
        errors["provider"] = [_("Choose a provider from the list.")]
    if not extension or len(extension) > 40:
        errors["extension"] = [_("An extension of up to 40 characters.")]
    if user is None:
        errors["email"] = [_("No active user has this email.")]
    if errors:
        return admin_page(errors, 422)
    session = api.session()
    found = session.execute(select(Extension).where(Extension.provider == provider, Extension.extension == extension)).scalar_one_or_none()
    if found is None:
        session.add(Extension(provider=provider, extension=extension, user_id=user.id))
    else:
        found.user_id = user.id
    session.execute(Call.__table__.update().where(
        Call.provider == provider, Call.extension == extension, Call.unknown_extension.is_(True)
    ).values(user_id=user.id, unknown_extension=False))
    session.commit()
    flash(_("Extension %(extension)s now rings for %(name)s.", extension=extension, name=user.name or user.email), "success")
    return redirect(url_for("telephony.admin"))


@bp.route("/admin/extensions/<int:extension_id>/delete", methods=["POST"])
def delete_extension(extension_id: int):
    api.require(api.current_user(), MANAGE)
    found = api.session().get(Extension, extension_id)
    if found is None:
        abort(404)
    api.session().delete(found)
    api.session().commit()
    flash(_("Extension removed."), "success")
    return redirect(url_for("telephony.admin"))
