"""The deal page's own forms: close as won or lost, reopen, its people and its line items.

Every form works without JavaScript and carries the deal's version: a form refused for a bad value
is shown again on a page of its own with what was typed and a message per field (422); a stale one
(the deal was saved since) is shown again with the deal as it is now (409). Nothing is saved in
part: each POST is one transaction.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from crmkit.core.pipelines import closing, names, parts
from crmkit.core.pipelines.models import PERSON_ROLES, LineItem
from crmkit.core.pipelines.setup import SetupError
from crmkit.core.records import links
from crmkit.entities.forms import FormField
from crmkit.entities.service import Conflict, Invalid, RecordError, Records
from crmkit.i18n import gettext as _
from crmkit.validation import field_messages

COMPETITOR_CHOICES = 100

bp = Blueprint("pipelines_deal", __name__, url_prefix="/deals", template_folder="templates")


def deals() -> Records:
    return Records(current_app.extensions["crmkit"].entities.get("deal"), current_user)


def deal_or_404(records: Records, deal_id: int) -> Any:
    try:
        return records.get(deal_id)
    except RecordError as error:
        abort(error.status)


def editable(deal_id: int) -> tuple[Records, Any]:
    records = deals()
    deal = deal_or_404(records, deal_id)
    if not records.can("edit") or deal.is_archived:
        abort(403)
    return records, deal


def back(deal_id: int, anchor: str | None = None):
    return redirect(url_for("records.deal_detail", record_id=deal_id, _anchor=anchor))


def stale_message() -> str:
    return _("Someone changed this deal in the meantime; it is shown as it is now. Check it and send the form again.")


def form_page(template: str, records: Records, deal: Any, errors: dict[str, Any] | None = None, status: int = 200,
              **context):
    """A form page of the deal; after a refusal the typed values come back in ``typed``."""
    if status == 409:
        records.db.rollback()
        records.db.refresh(deal)
        errors = {"": [stale_message()]}
    elif status == 422:
        records.db.rollback()
    typed = request.form if request.method == "POST" else {}
    return render_template(template, deal=deal, errors=errors or {}, typed=typed, shown=names.shown,
                           stage_name=names.stage_name, **context), status


# closing and reopening
def competitor_choices(records: Records) -> list[tuple[int, str]]:
    """Organisations marked as competitors that the user sees, by name (the first hundred)."""
    entities = current_app.extensions["crmkit"].entities
    if "organization" not in entities:
        return []
    organizations = Records(entities.get("organization"), records.user, records.db)
    if not organizations.can("view"):
        return []
    model = organizations.model
    statement = organizations.select().with_only_columns(model.id, model.name).where(model.is_competitor.is_(True))
    return [tuple(row) for row in records.db.execute(statement.order_by(model.name, model.id).limit(COMPETITOR_CHOICES))]


def live_reasons() -> list[Any]:
    return sorted((r for r in names.loss_reasons().values() if r.archived_at is None), key=lambda r: (r.position, r.id))


@bp.route("/<int:deal_id>/won", methods=["GET", "POST"])
def won(deal_id: int):
    records, deal = editable(deal_id)
    if request.method == "GET":
        return form_page("pipelines/deal_won.html", records, deal)
    try:
        closing.close_won(records, deal, request.form.get("amount", "").strip() or None, request.form.get("version", type=int))
    except Conflict:
        return form_page("pipelines/deal_won.html", records, deal, status=409)
    except Invalid as error:
        return form_page("pipelines/deal_won.html", records, deal, field_messages(error.fields), 422)
    flash(_("The deal is closed as won."), "success")
    return back(deal_id)


@bp.route("/<int:deal_id>/lost", methods=["GET", "POST"])
def lost(deal_id: int):
    records, deal = editable(deal_id)
    context = {"reasons": live_reasons(), "competitors": competitor_choices(records)}
    if request.method == "GET":
        return form_page("pipelines/deal_lost.html", records, deal, **context)
    try:
        closing.close_lost(records, deal, request.form.get("loss_reason_id"), request.form.getlist("competitor_ids"),
                           request.form.get("loss_note"), request.form.get("version", type=int))
    except Conflict:
        return form_page("pipelines/deal_lost.html", records, deal, status=409, **context)
    except Invalid as error:
        return form_page("pipelines/deal_lost.html", records, deal, field_messages(error.fields), 422, **context)
    flash(_("The deal is closed as lost."), "success")
    return back(deal_id)


@bp.route("/<int:deal_id>/reopen", methods=["GET", "POST"])
def reopen(deal_id: int):
    records, deal = editable(deal_id)
    context = {"stages": closing.stages_of_kind(deal.pipeline_id, "open")}
    if request.method == "GET":
        return form_page("pipelines/deal_reopen.html", records, deal, **context)
    try:
        closing.reopen(records, deal, request.form.get("stage_id"), request.form.get("version", type=int))
    except Conflict:
        return form_page("pipelines/deal_reopen.html", records, deal, status=409, **context)
    except Invalid as error:
        return form_page("pipelines/deal_reopen.html", records, deal, field_messages(error.fields), 422, **context)
    flash(_("The deal is open again."), "success")
    return back(deal_id)


# people
def person_field() -> FormField:
    """The person to add: a select when the user sees few people, else the record picker."""
    field = FormField("person_id", _("Person"), "number", required=True, link="person")
    links.fill_choices([field])
    return field


@bp.route("/<int:deal_id>/people", methods=["GET", "POST"])
def add_person(deal_id: int):
    records, deal = editable(deal_id)
    context = {"field": person_field(), "roles": PERSON_ROLES, "role_labels": parts.ROLE_LABELS}
    if request.method == "GET":
        return form_page("pipelines/deal_person.html", records, deal, **context)
    try:
        parts.add_person(records, deal, links.from_form(request.form, "person_id", "person"), request.form.get("role", ""),
                         request.form.get("version"))
    except Conflict:
        return form_page("pipelines/deal_person.html", records, deal, status=409, **context)
    except SetupError as error:
        return form_page("pipelines/deal_person.html", records, deal, error.errors, 422, **context)
    flash(_("Person added to the deal."), "success")
    return back(deal_id, "deal-people")


@bp.route("/<int:deal_id>/people/<int:row_id>/remove", methods=["POST"])
def remove_person(deal_id: int, row_id: int):
    records, deal = editable(deal_id)
    try:
        parts.remove_person(records, deal, row_id, request.form.get("version"))
    except Conflict:
        flash(stale_message(), "error")
    except SetupError:
        abort(404)
    return back(deal_id, "deal-people")


# line items
def line_context(records: Records) -> dict[str, Any]:
    return {"prices": parts.price_choices(records.db)}


def line_of(records: Records, deal: Any, line_id: int) -> LineItem:
    line = records.db.get(LineItem, line_id)
    if line is None or line.deal_id != deal.id:
        abort(404)
    return line


@bp.route("/<int:deal_id>/lines", methods=["GET", "POST"])
def add_line(deal_id: int):
    records, deal = editable(deal_id)
    if request.method == "GET":
        return form_page("pipelines/deal_line.html", records, deal, line=None, **line_context(records))
    try:
        parts.save_line(records, deal, request.form, request.form.get("version"))
    except Conflict:
        return form_page("pipelines/deal_line.html", records, deal, status=409, line=None, **line_context(records))
    except (SetupError, Invalid) as error:
        found = error.errors if isinstance(error, SetupError) else field_messages(error.fields)
        return form_page("pipelines/deal_line.html", records, deal, found, 422, line=None, **line_context(records))
    flash(_("Line added; the deal's amount is its lines' total."), "success")
    return back(deal_id, "deal-lines")


@bp.route("/<int:deal_id>/lines/<int:line_id>", methods=["GET", "POST"])
def edit_line(deal_id: int, line_id: int):
    records, deal = editable(deal_id)
    line = line_of(records, deal, line_id)
    if request.method == "GET":
        return form_page("pipelines/deal_line.html", records, deal, line=line, **line_context(records))
    try:
        parts.save_line(records, deal, request.form, request.form.get("version"), line_id)
    except Conflict:
        return form_page("pipelines/deal_line.html", records, deal, status=409, line=line, **line_context(records))
    except (SetupError, Invalid) as error:
        found = error.errors if isinstance(error, SetupError) else field_messages(error.fields)
        return form_page("pipelines/deal_line.html", records, deal, found, 422, line=line, **line_context(records))
    flash(_("Line saved."), "success")
    return back(deal_id, "deal-lines")


@bp.route("/<int:deal_id>/lines/<int:line_id>/remove", methods=["POST"])
def remove_line(deal_id: int, line_id: int):
    records, deal = editable(deal_id)
    line_of(records, deal, line_id)
    try:
        parts.remove_line(records, deal, line_id, request.form.get("version"))
    except Conflict:
        flash(stale_message(), "error")
    return back(deal_id, "deal-lines")

