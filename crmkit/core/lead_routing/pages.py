"""The overdue leads page (/lead_routing/overdue), its dashboard widget, the link to it on the
lead list, and the panel on a lead's page: its deadline, its first response, who it went to.

Everyone who sees leads sees the overdue ones among those they see (an agent their own, a
manager their department's, an admin all); a manager can narrow the page to one agent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from crmkit import Action, DashboardWidget, Panel, db
from crmkit.core.access.policy import user_can
from crmkit.core.lead_routing import overdue
from crmkit.core.lead_routing.column import late_by
from crmkit.core.lead_routing.events import ASSIGN
from crmkit.core.auth.models import User
from crmkit.core.lead_routing.models import Assignment, Response, Rule
from crmkit.core.leads.channels import channel_label
from crmkit.core.leads.workflow import LABELS
from crmkit.core.records.links import user_names
from crmkit.db import utcnow
from crmkit.entities.errors import Forbidden, Invalid, RecordError
from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_gettext as _l

WIDGET_ROWS = 5
HISTORY = 10
USERS_SHOWN = 500
HOW_LABELS = {"manual": _l("by hand"), "rule": _l("by a rule"), "fallback": _l("to the fallback")}
RESPONSE_LABELS = {"status": _l("status changed"), "activity": _l("activity logged"), "callback": _l("called back")}

bp = Blueprint("lead_routing", __name__, url_prefix="/lead_routing", template_folder="templates")


def cursor_of(raw: str | None) -> tuple[datetime, int] | None:
    if not raw:
        return None
    try:
        due, lead_id = raw.rsplit("_", 1)
        return datetime.fromisoformat(due), int(lead_id)
    except ValueError:
        abort(400)


def duration(seconds: int | None) -> str:
    """A wait as hours and minutes ("2 h 05 min")."""
    hours, minutes = divmod(max(int(seconds or 0), 0) // 60, 60)
    return _("%(hours)d h %(minutes)02d min", hours=hours, minutes=minutes) if hours else _("%(minutes)d min", minutes=minutes)


@bp.route("/overdue")
def overdue_page():
    owner_id = request.args.get("owner", type=int)
    now = utcnow()
    try:
        rows, following = overdue.page(current_user, cursor_of(request.args.get("after")), now=now, owner_id=owner_id)
    except Forbidden:
        abort(403)
    owners = user_names({lead.owner_id for lead, _due in rows if lead.owner_id})
    return render_template(
        "lead_routing/overdue.html", rows=rows, owners=owners, owner_id=owner_id, now=now, late_by=late_by,
        channel_label=channel_label, status_label=lambda key: LABELS.get(key, key), total=overdue.count(current_user, now, owner_id), cap=overdue.COUNT_CAP,
        next_url=url_for("lead_routing.overdue_page", owner=owner_id,
                         after=f"{following[0].isoformat()}_{following[1]}") if following else None,
    )


@bp.route("/leads/<int:lead_id>/assign", methods=["POST"])
def assign(lead_id: int):
    """The lead page's "Assign to" form: the same as the list's bulk action, for one lead."""
    records = overdue.lead_records(current_user)
    if records is None or not user_can(current_user, ASSIGN):
        abort(403)
    owner_id = request.form.get("owner_id", type=int)
    try:
        lead = records.get(lead_id)
        if owner_id is None:
            raise Invalid({"owner_id": [_("Choose who the lead is assigned to.")]})
        records.assign_owner(lead, owner_id)
    except Invalid as error:
        db.session().rollback()
        flash(" ".join(str(m) for messages in error.fields.values() for m in messages), "error")
    except RecordError as error:
        abort(error.status)
    else:
        flash(_("Lead assigned."), "success")
    return redirect(url_for("records.lead_detail", record_id=lead_id))


def widget_load(user: Any) -> dict[str, Any]:
    now = utcnow()
    rows, _following = overdue.page(user, limit=WIDGET_ROWS, now=now)
    return {"count": overdue.count(user, now), "cap": overdue.COUNT_CAP, "rows": rows, "now": now, "late_by": late_by}


def widgets(user: Any) -> list[DashboardWidget]:
    if overdue.lead_records(user) is None:
        return []
    return [DashboardWidget(_l("Overdue leads"), "lead_routing/widget_overdue.html", {"load": lambda: widget_load(user)},
                            order=7, key="lead_routing.overdue", default=True)]


def list_actions(user: Any) -> list[Action]:
    found = overdue.count(user)
    if not found:
        return []
    shown = f"{overdue.COUNT_CAP}+" if found > overdue.COUNT_CAP else str(found)
    return [Action(_("Overdue leads: %(count)s", count=shown), url_for("lead_routing.overdue_page"), order=5)]


def lead_panels(lead: Any, user: Any) -> list[Panel]:
    session = db.session()
    response = session.get(Response, lead.id)
    statement = (select(Assignment, Rule.name).outerjoin(Rule, Rule.id == Assignment.rule_id)
                 .where(Assignment.lead_id == lead.id).order_by(Assignment.id.desc()).limit(HISTORY))
    given = list(session.execute(statement).all())
    assignable = user_can(user, ASSIGN)
    if response is None and not given and not assignable:
        return []
    names = user_names({a.user_id for a, _name in given} | {a.by_user_id for a, _name in given if a.by_user_id}
                       | ({response.by_user_id} if response is not None and response.by_user_id else set()))
    now = utcnow()
    overdue_now = response is not None and response.responded_at is None and response.due_at is not None and response.due_at < now
    return [Panel(_l("Response and assignment"), "lead_routing/panel_lead.html",
                  {"response": response, "given": given, "names": names, "how_labels": HOW_LABELS,
                   "response_labels": RESPONSE_LABELS, "overdue": overdue_now, "now": now, "late_by": late_by,
                   "duration": duration, "lead": lead, "users": active_users() if assignable else []}, order=20)]


def active_users() -> list[Any]:
    """Who a lead can be given to, by name (id, name, email rows)."""
    statement = select(User.id, User.name, User.email).where(User.is_active.is_(True)).order_by(User.name, User.email)
    return list(db.session().execute(statement.limit(USERS_SHOWN)))
