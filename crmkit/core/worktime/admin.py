"""/admin/worktime: the working hours per weekday, whose public holidays count, the time zone, and
a year's holidays with the admin's own days off and working days. Needs ``worktime.manage``.

Plain forms with CSRF and no JavaScript; a form with a bad value saves nothing and comes back with
what was typed and a message under each bad field (422).
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from crmkit import db
from crmkit.core.access.policy import requiring
from crmkit.core.worktime import service, store
from crmkit.core.worktime.models import COUNTRIES, WorktimeDay
from crmkit.i18n import get_locale
from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_gettext as _l

PERMISSION = "worktime.manage"
WEEKDAY_NAMES = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"), _l("Sunday"))
COUNTRY_NAMES = {"KZ": _l("Kazakhstan"), "RU": _l("Russia")}

bp = Blueprint("worktime_admin", __name__, url_prefix="/admin/worktime", template_folder="templates")
bp.before_request(requiring(PERMISSION))


def year_of(raw: str | None) -> int:
    try:
        year = int(raw) if raw else datetime.now(UTC).year
    except ValueError:
        abort(400)
    if not 2000 <= year <= 2100:
        abort(400)
    return year


def page(year: int, errors: dict | None = None, failed: str | None = None, status: int = 200):
    session = db.session()
    settings = store.settings(session)
    calendar = store.build(session)
    now = datetime.now(UTC)
    context = {
        "year": year,
        "settings": settings,
        "week": calendar.week,
        "zone": calendar.zone.key,
        "default_zone": store.zone_of(None).key,
        "days": service.year_rows(session, year, str(get_locale() or "en")),
        "weekday_names": WEEKDAY_NAMES,
        "countries": [(code, COUNTRY_NAMES[code]) for code in COUNTRIES],
        "working_now": calendar.is_working_time(now),
        "errors": errors or {},
        "failed": failed,
        "typed": request.form if errors else {},
    }
    if errors:
        session.rollback()
    return render_template("worktime/admin.html", **context), status


@bp.route("/")
def index():
    return page(year_of(request.args.get("year")))


@bp.route("/", methods=["POST"])
def save():
    try:
        service.save_settings(db.session(), request.form, current_user)
    except service.SetupError as error:
        return page(year_of(request.form.get("year")), error.errors, "hours", 422)
    flash(_("Working hours saved."), "success")
    return redirect(url_for("worktime_admin.index"))


@bp.route("/days", methods=["POST"])
def add_day():
    year = year_of(request.form.get("year"))
    try:
        found = service.add_day(db.session(), request.form, current_user)
    except service.SetupError as error:
        return page(year, error.errors, "day", 422)
    flash(_("Day saved."), "success")
    return redirect(url_for("worktime_admin.index", year=found.day.year))


@bp.route("/days/<int:day_id>/delete", methods=["POST"])
def remove_day(day_id: int):
    found = db.session().get(WorktimeDay, day_id)
    if found is None:
        abort(404)
    year = found.day.year
    service.remove_day(db.session(), found, current_user)
    flash(_("Day removed: the usual hours and holidays apply to it again."), "success")
    return redirect(url_for("worktime_admin.index", year=year))
