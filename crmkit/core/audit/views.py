"""The audit log page: filter by action, user and date range; newest first, paged by keyset."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, render_template, request
from sqlalchemy import select

from crmkit import db
from crmkit.core.access.policy import requiring
from crmkit.core.audit.actions import Names, describe, registered
from crmkit.core.audit.models import AuditEntry
from crmkit.core.auth.models import User
from crmkit.i18n import gettext as _
from crmkit.i18n import select_timezone

bp = Blueprint("audit", __name__, url_prefix="/admin/audit", template_folder="templates")
PAGE_SIZE = 50


bp.before_request(requiring("core.audit_log"))


def day_start(raw: str, errors: dict, name: str, days: int = 0) -> datetime | None:
    """The start of a day (plus ``days``) in the viewer's time zone, or None when not given."""
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        errors[name] = _("Enter a date as YYYY-MM-DD.")
        return None
    return datetime.combine(day + timedelta(days=days), time.min, tzinfo=ZoneInfo(select_timezone()))


@bp.route("/")
def index():
    session = db.session()
    args = request.args
    errors: dict[str, str] = {}
    statement = select(AuditEntry)
    if action := args.get("action", ""):
        statement = statement.where(AuditEntry.action == action)
    if user_email := args.get("user", "").strip().lower():
        user = session.execute(select(User).where(User.email == user_email)).scalar_one_or_none()
        statement = statement.where(AuditEntry.user_id == (user.id if user else -1))
    if since := day_start(args.get("from", ""), errors, "from"):
        statement = statement.where(AuditEntry.at >= since)
    if until := day_start(args.get("to", ""), errors, "to", days=1):
        statement = statement.where(AuditEntry.at < until)
    before = args.get("before", "")
    if before.isdigit():
        statement = statement.where(AuditEntry.id < int(before))
    rows = list(session.execute(statement.order_by(AuditEntry.id.desc()).limit(PAGE_SIZE + 1)).scalars())
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    names = Names.for_entries(rows)
    filter_args = {k: v for k, v in args.items() if k != "before" and v}
    return render_template(
        "audit/index.html",
        rows=[(row, describe(row, names)) for row in rows],
        names=names,
        actions=(actions := sorted(((name, str(a.label)) for name, a in registered().items()), key=lambda pair: pair[1])),
        actions_labels=dict(actions),
        args=args,
        errors=errors,
        filter_args=filter_args,
        next_args={**filter_args, "before": rows[-1].id} if more else None,
        first_page=not before,
    ), 400 if errors else 200
