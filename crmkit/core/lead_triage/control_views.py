"""The re-processing queue (``/lead_triage/control/``): the leads quality control holds, oldest
first, each with why it was sent, its owner, its deal and loss reason when lost, its earlier rounds
and its last moves; a controller returns it to work or confirms the rejection, with a comment.
And the admins' settings: the stale days and the rejection reasons that skip quality control."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from crmkit.core.access.policy import requiring
from crmkit.core.lead_triage import control
from crmkit.core.lead_triage.models import Review
from crmkit.core.lead_triage.triage import message_of
from crmkit.core.lead_triage.views import as_int, channel_labels
from crmkit.core.leads.models import REJECTION_REASONS, REPROCESS_REASONS
from crmkit.core.leads.sources import source_name
from crmkit.core.leads.workflow import LABELS
from crmkit.core.pipelines import names
from crmkit.core.pipelines.models import Deal
from crmkit.core.records import links
from crmkit.entities.errors import Conflict, Invalid, RecordError
from crmkit.entities.transitions import Transition
from crmkit.i18n import gettext as _
from crmkit.redirects import local_url

PAGE_SIZE = 25
MOVES_SHOWN = 6

bp = Blueprint("lead_triage_control", __name__, url_prefix="/lead_triage/control", template_folder="templates")


def controller() -> control.Control:
    found = control.Control(current_user)
    if not found.allowed():
        abort(403)
    return found


def history(session, lead_ids: list[int]) -> tuple[dict[int, list], dict[int, list]]:
    """The last moves and the rounds of quality control of the page's leads: two indexed queries."""
    moves: dict[int, list] = {}
    reviews: dict[int, list] = {}
    if not lead_ids:
        return moves, reviews
    statement = (select(Transition).where(Transition.entity == "lead", Transition.record_id.in_(lead_ids))
                 .order_by(Transition.record_id, Transition.at.desc(), Transition.id.desc()).limit(len(lead_ids) * 20))
    for move in session.execute(statement).scalars():
        if len(moves.setdefault(move.record_id, [])) < MOVES_SHOWN:
            moves[move.record_id].append(move)
    statement = select(Review).where(Review.lead_id.in_(lead_ids)).order_by(Review.lead_id, Review.id.desc()).limit(len(lead_ids) * 10)
    for review in session.execute(statement).scalars():
        reviews.setdefault(review.lead_id, []).append(review)
    return moves, reviews


@bp.route("/")
def queue():
    found = controller()
    leads = found.leads
    model = leads.model
    statement = leads.select().where(model.status == "reprocessing")
    reason = request.args.get("reason")
    if reason in REPROCESS_REASONS:
        statement = statement.where(model.reprocess_reason == reason)
    after = as_int(request.args.get("after"))
    if after is not None:
        statement = statement.where(model.id > after)
    page = list(leads.db.execute(statement.order_by(model.id).limit(PAGE_SIZE + 1)).scalars())
    more, page = len(page) > PAGE_SIZE, page[:PAGE_SIZE]
    moves, reviews = history(leads.db, [lead.id for lead in page])
    deal_ids = {lead.deal_id for lead in page if lead.deal_id}
    deals = {deal.id: deal for deal in leads.db.execute(select(Deal).where(Deal.id.in_(deal_ids))).scalars()} if deal_ids else {}
    visible_deals = links.titles("deal", deal_ids)
    owners = links.user_names({lead.owner_id for lead in page if lead.owner_id} |
                              {move.user_id for rows in moves.values() for move in rows if move.user_id})
    return render_template(
        "lead_triage/control.html", leads=page, more=more, next_after=page[-1].id if more and page else None,
        first_page=after is None, reason=reason if reason in REPROCESS_REASONS else "", moves=moves, reviews=reviews,
        deals=deals, visible_deals=visible_deals, owners=owners, user_choices=links.user_choices(),
        reprocess_reasons=REPROCESS_REASONS, rejection_reasons=REJECTION_REASONS, state_labels=LABELS,
        channel_label=channel_labels(), source_name=source_name, loss_reason_name=names.loss_reason_name,
        outcome_labels={"returned": _("Returned to work"), "confirmed": _("Rejection confirmed")},
        here=request.full_path.rstrip("?"), can_setup=found.leads.access.can(control.SETUP_PERMISSION),
    )


def lead_or_back(found: control.Control, lead_id: int) -> Any:
    try:
        return found.lead(lead_id)
    except Invalid as error:
        flash(message_of(error), "error")
        return None
    except RecordError as error:
        abort(error.status)


def back() -> Any:
    return redirect(local_url(request.form.get("next"), url_for("lead_triage_control.queue")))


@bp.route("/<int:lead_id>/return", methods=["POST"])
def return_to_work(lead_id: int):
    found = controller()
    lead = lead_or_back(found, lead_id)
    if lead is None:
        return back()
    try:
        found.return_to_work(lead, request.form.get("comment"), request.form.get("state", "assigned"),
                             as_int(request.form.get("owner_id")), as_int(request.form.get("version")))
    except Conflict:
        flash(_("Someone changed this lead in the meantime; check it again."), "error")
        return back()
    except RecordError as error:
        flash(message_of(error), "error")
        return back()
    flash(_("Lead %(name)s returned to work; its owner is told.", name=lead.name or f"#{lead.id}"), "success")
    return back()


@bp.route("/<int:lead_id>/confirm", methods=["POST"])
def confirm(lead_id: int):
    found = controller()
    lead = lead_or_back(found, lead_id)
    if lead is None:
        return back()
    try:
        found.confirm(lead, request.form.get("comment"), request.form.get("reason") or None, as_int(request.form.get("version")))
    except Conflict:
        flash(_("Someone changed this lead in the meantime; check it again."), "error")
        return back()
    except RecordError as error:
        flash(message_of(error), "error")
        return back()
    flash(_("Rejection of lead %(name)s confirmed.", name=lead.name or f"#{lead.id}"), "success")
    return back()


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    requiring(control.SETUP_PERMISSION)()
    errors, status = {}, 200
    current = control.settings()
    typed = {"stale_days": str(current.stale_days)}
    skipped = list(current.skipped_reasons)
    if request.method == "POST":
        typed = {"stale_days": request.form.get("stale_days", "")}
        skipped = request.form.getlist("skipped_reasons")
        try:
            control.save_settings(typed["stale_days"], skipped)
            flash(_("Quality control settings saved."), "success")
            return redirect(url_for("lead_triage_control.settings"))
        except Invalid as error:
            errors, status = error.fields, 422
    return render_template("lead_triage/settings.html", typed=typed, skipped=skipped, errors=errors,
                           reasons=REJECTION_REASONS), status
