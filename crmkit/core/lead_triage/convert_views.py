"""The lead's "Convert" page (``/lead_triage/<id>/convert``): the people and organisations that
may be the lead's offered first, a pipeline and a title for the deal (or an existing deal), and
one press that makes it all, or nothing with a message per field."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from crmkit.core.lead_triage import convert
from crmkit.core.lead_triage.views import as_int
from crmkit.core.pipelines import names
from crmkit.core.records import links
from crmkit.entities.errors import Conflict, Invalid, RecordError
from crmkit.entities.forms import FormField
from crmkit.i18n import gettext as _

bp = Blueprint("lead_triage_convert", __name__, url_prefix="/lead_triage", template_folder="templates")


def plan_from(form: Any) -> convert.Plan:
    deal = form.get("deal", "new")
    if deal == "existing":
        raw = links.from_form(form, "deal_id", "deal")
        if isinstance(raw, links.Unresolved):
            raise Invalid({"deal": [str(raw.reason)]})
        deal = str(raw or "")
    return convert.Plan(person=form.get("person", "new"), organization=form.get("organization", "none"), deal=deal,
                        pipeline_id=as_int(form.get("pipeline_id")), title=form.get("title", ""),
                        amount=form.get("amount", ""), confirm_duplicates=form.get("confirm_duplicates") == "1")


SHOWN = ("", "status", "person", "organization", "deal", "pipeline_id", "title", "amount")


def shown_errors(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Messages under the fields the page has; any other field's (the deal's own rules) on top."""
    result = {name: messages for name, messages in errors.items() if name in SHOWN}
    for name, messages in errors.items():
        if name not in SHOWN:
            result.setdefault("", []).extend(f"{name}: {message}" for message in messages)
    return result


def deal_field() -> FormField:
    field = FormField("deal_id", _("Existing deal"), "number", link="deal")
    links.fill_choices([field])
    return field


@bp.route("/<int:lead_id>/convert", methods=["GET", "POST"])
def convert_lead(lead_id: int):
    converter = convert.Converter(current_user)
    try:
        lead = converter.lead(lead_id)
    except RecordError as error:
        abort(error.status)
    errors: dict[str, list[str]] = {}
    status = 200
    people, organizations, hidden = convert.candidates(current_user, lead)
    plan = convert.default_plan(current_user, lead, people, organizations)
    if request.method == "POST":
        try:
            plan = plan_from(request.form)
            deal = converter.convert(lead, plan, as_int(request.form.get("version")))
            flash(_("Lead converted into the deal %(title)s.", title=deal.title), "success")
            return redirect(url_for("records.deal_detail", record_id=deal.id))
        except Conflict:
            errors, status = {"": [_("Someone changed this lead in the meantime; check it again.")]}, 409
        except Invalid as error:
            errors, status = {name: [str(m) for m in (messages if isinstance(messages, list) else [messages])]
                              for name, messages in error.fields.items()}, 422
        except RecordError as error:
            abort(error.status)
        errors = shown_errors(errors)
        lead = converter.lead(lead_id)
    pipelines = sorted((p for p in names.pipelines().values() if p.archived_at is None), key=lambda p: (p.position, p.id))
    return render_template(
        "lead_triage/convert.html", lead=lead, plan=plan, people=people, organizations=organizations, hidden=hidden,
        pipelines=[(p.id, names.shown(p.names)) for p in pipelines], deal_field=deal_field(), errors=errors,
        duplicates_found="person" in errors or "organization" in errors, convertible=lead.status in convert.CONVERTIBLE,
    ), status
