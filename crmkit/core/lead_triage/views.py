"""The unsorted queue (``/lead_triage/``) and its actions: new leads in the order they arrived, a
page at a time, each with its channel, source, request, arrival time on the user's clock and its
duplicate hints; accept, reject with a reason, mark as a duplicate, link to a deal; several at
once. Plain forms that work without JavaScript; ``static/queue.js`` adds keyboard keys."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from crmkit.core.lead_triage import hints
from crmkit.core.lead_triage.triage import Triage, message_of
from crmkit.core.leads.channels import channel_label, declared
from crmkit.core.leads.models import REJECTION_REASONS
from crmkit.core.leads.sources import all_sources, source_name
from crmkit.core.records import links
from crmkit.entities.errors import Conflict, Invalid, RecordError
from crmkit.entities.forms import FormField
from crmkit.i18n import gettext as _
from crmkit.i18n import ngettext
from crmkit.redirects import local_url

PAGE_SIZE = 25

bp = Blueprint("lead_triage", __name__, url_prefix="/lead_triage", template_folder="templates",
               static_folder="static", static_url_path="/static")


def triage() -> Triage:
    found = Triage(current_user)
    if not found.allowed():
        abort(403)
    return found


def as_int(raw: Any) -> int | None:
    try:
        value = int(str(raw))
    except (TypeError, ValueError):
        return None
    return value if 0 < value < 2**31 else None


def queue_args() -> dict[str, str]:
    """The queue's filters, to keep across pages and actions."""
    return {name: request.args[name] for name in ("channel", "source") if request.args.get(name)}


def back() -> Any:
    return redirect(local_url(request.form.get("next"), url_for("lead_triage.queue")))


def channel_labels() -> Any:
    """A channel's label by key, the channels asked for once per page (not once per row)."""
    labels = {key: str(source.label) for key, source in declared().items()}
    return lambda key: labels.get(key) or channel_label(key)


def deal_field() -> FormField:
    """The deal to link a lead to: a select when the user sees few deals, else the record picker."""
    field = FormField("deal_id", _("Deal"), "number", required=True, link="deal")
    links.fill_choices([field])
    return field


@bp.route("/")
def queue():
    actions = triage()
    leads = actions.leads
    model = leads.model
    statement = leads.select().where(model.status == "new")
    args = queue_args()
    if args.get("channel"):
        statement = statement.where(model.channel == args["channel"])
    if (source_id := as_int(args.get("source"))) is not None:
        statement = statement.where(model.source_id == source_id)
    after = as_int(request.args.get("after"))
    if after is not None:
        statement = statement.where(model.id > after)
    page = list(leads.db.execute(statement.order_by(model.id).limit(PAGE_SIZE + 1)).scalars())
    more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    found = hints.for_leads(current_user, leads.db, page)
    return render_template(
        "lead_triage/queue.html", leads=page, hints=found, more=more, args=args, first_page=after is None,
        next_after=page[-1].id if more and page else None, reasons=REJECTION_REASONS, channel_label=channel_labels(),
        source_name=source_name, channels=[(key, source.label) for key, source in declared().items()],
        sources=sorted(((str(i), source_name(i)) for i in all_sources()), key=lambda pair: pair[1]),
        here=request.full_path.rstrip("?"),
    )


def lead_or_404(actions: Triage, lead_id: int) -> Any:
    try:
        return actions.lead(lead_id)
    except RecordError as error:
        abort(error.status)


def done(message: str) -> Any:
    flash(message, "success")
    return back()


def refused(error: RecordError) -> Any:
    if isinstance(error, Conflict):
        flash(_("Someone changed this lead in the meantime; check it again."), "error")
    else:
        flash(message_of(error), "error")
    return back()


@bp.route("/<int:lead_id>/accept", methods=["POST"])
def accept(lead_id: int):
    actions = triage()
    lead = lead_or_404(actions, lead_id)
    try:
        actions.accept(lead, as_int(request.form.get("version")))
    except RecordError as error:
        return refused(error)
    return done(_("Lead %(name)s accepted.", name=lead.name or f"#{lead.id}"))


@bp.route("/<int:lead_id>/reject", methods=["POST"])
def reject(lead_id: int):
    actions = triage()
    lead = lead_or_404(actions, lead_id)
    try:
        actions.reject(lead, request.form.get("reason", ""), request.form.get("note"), as_int(request.form.get("version")))
    except RecordError as error:
        return refused(error)
    return done(_("Lead %(name)s rejected: %(reason)s.", name=lead.name or f"#{lead.id}",
                  reason=REJECTION_REASONS[lead.rejection_reason or "other"]))


@bp.route("/<int:lead_id>/duplicate", methods=["POST"])
def duplicate(lead_id: int):
    actions = triage()
    lead = lead_or_404(actions, lead_id)
    target = request.form.get("target", "")
    target_id = as_int(request.form.get("target_id"))
    try:
        if target_id is None:
            raise Invalid({"duplicate_of_id": [_("Choose the record this lead repeats.")]})
        actions.duplicate(lead, target, target_id, request.form.get("note"), as_int(request.form.get("version")))
    except RecordError as error:
        return refused(error)
    return done(_("Lead %(name)s marked as a duplicate.", name=lead.name or f"#{lead.id}"))


@bp.route("/<int:lead_id>/link", methods=["GET", "POST"])
def link(lead_id: int):
    actions = triage()
    lead = lead_or_404(actions, lead_id)
    field, errors, status = deal_field(), {}, 200
    if request.method == "POST":
        try:
            raw = links.from_form(request.form, "deal_id", "deal")
            if isinstance(raw, links.Unresolved):
                raise Invalid({"deal_id": [str(raw.reason)]})
            deal_id = as_int(raw)
            if deal_id is None:
                raise Invalid({"deal_id": [_("No such deal.")]})
            actions.link_deal(lead, deal_id, as_int(request.form.get("version")))
            flash(_("Lead %(name)s linked to the deal.", name=lead.name or f"#{lead.id}"), "success")
            return redirect(url_for("records.deal_detail", record_id=deal_id))
        except Conflict:
            errors, status = {"": [_("Someone changed this lead in the meantime; check it again.")]}, 409
        except Invalid as error:
            errors, status = {name: [str(m) for m in messages] for name, messages in error.fields.items()}, 422
        except RecordError as error:
            abort(error.status)
        actions.session.rollback()
        lead = lead_or_404(actions, lead_id)
    return render_template("lead_triage/link.html", lead=lead, field=field, errors=errors,
                           next=local_url(request.values.get("next"), url_for("lead_triage.queue"))), status


@bp.route("/bulk", methods=["POST"])
def bulk():
    actions = triage()
    ids = [i for i in (as_int(raw) for raw in request.form.getlist("lead")) if i is not None]
    if not ids:
        flash(_("Choose the leads first."), "error")
        return back()
    action = request.form.get("action", "")
    try:
        result = actions.bulk(action, ids, request.form.get("reason") or None, request.form.get("note"))
    except Invalid as error:
        flash(message_of(error), "error")
        return back()
    if result.done:
        message = (ngettext("%(num)d lead accepted.", "%(num)d leads accepted.", len(result.done)) if action == "accept"
                   else ngettext("%(num)d lead rejected.", "%(num)d leads rejected.", len(result.done)))
        flash(message, "success")
    for lead_id, why in result.failed:
        flash(_("Lead #%(id)d: %(why)s", id=lead_id, why=why), "error")
    return back()
