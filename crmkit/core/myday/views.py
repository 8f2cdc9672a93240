"""/my-day, /calendar and the calendar feed.

Writes go through ``Records`` (marking a task done: validation, locking, history, events); a
dismissed reminder only sets ``reminded_at`` on the user's own activity.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_time
from flask_login import current_user

from crmkit import db, public
from crmkit.core.activities.schemas import KIND_LABELS, OUTCOME_LABELS
from crmkit.core.contacts.phones import pretty
from crmkit.core.myday import calendar, feed, queries, reminders
from crmkit.entities.errors import Conflict, Invalid, RecordError
from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_gettext as _l

bp = Blueprint("myday", __name__, template_folder="templates")

SECTION_TITLES = {
    "reminders": _l("Reminders"),
    "overdue": _l("Overdue tasks"),
    "today": _l("Today's tasks"),
    "meetings": _l("Upcoming meetings"),
    "calls": _l("Missed calls to return"),
}
SECTION_EMPTY = {
    "overdue": _l("No overdue tasks."),
    "today": _l("No tasks due today."),
    "meetings": _l("No meetings in the next seven days."),
    "calls": _l("No missed calls waiting for a call back."),
}


def about_links(activities) -> dict[int, tuple[str, str]]:
    """For each activity about a record the user sees: the record's title and address."""
    titles = queries.about_titles(current_user, activities)
    entities = current_app.extensions["crmkit"].entities
    links = {}
    for activity in activities:
        title = titles.get((activity.about_entity, activity.about_id))
        if title is not None:
            prefix = entities.get(activity.about_entity).endpoint_prefix
            links[activity.id] = (title, url_for(f"records.{prefix}_detail", record_id=activity.about_id))
    return links


@bp.route("/my-day")
def index():
    sections = queries.my_day(current_user)
    records = queries.activity_records(current_user)
    return render_template(
        "myday/index.html",
        sections=sections,
        titles=SECTION_TITLES,
        empty=SECTION_EMPTY,
        about=about_links([item for section in sections for item in section.items]),
        kinds=KIND_LABELS,
        outcomes=OUTCOME_LABELS,
        phone=pretty,
        time_of=format_time,
        can_view=records.can("view"),
        can_create=records.can("create"),
        can_edit=records.can("edit"),
        feed=feed.feed_of(db.session(), current_user),
        panels=plugin_panels(),
    )


def plugin_panels():
    """What plugins add to My day (``myday_panels``), in their order."""
    pm = current_app.extensions["crmkit"].pm
    return sorted((p for found in pm.hook.myday_panels(user=current_user) for p in found or []), key=lambda p: p.order)


def back():
    return redirect(url_for("myday.index"))


@bp.route("/my-day/tasks/<int:activity_id>/done", methods=["POST"])
def done(activity_id: int):
    """Mark one of the user's open tasks done, with the version they saw."""
    records = queries.activity_records(current_user)
    version = request.form.get("version", type=int)
    if version is None:
        abort(400)
    try:
        task = records.get(activity_id)
        if task.kind != "task" or task.owner_id != current_user.id:
            abort(404)
        records.update(task, {"status": "done"}, version=version)
    except Conflict:
        flash(_("Someone changed this task in the meantime; look at it again."), "error")
        return back()
    except Invalid:
        abort(400)
    except RecordError as error:
        abort(error.status)
    flash(_("Done: %(subject)s", subject=task.subject), "success")
    return back()


@bp.route("/my-day/reminders/<int:activity_id>/dismiss", methods=["POST"])
def dismiss(activity_id: int):
    records = queries.activity_records(current_user)
    try:
        records.get(activity_id)
    except RecordError as error:
        abort(error.status)
    if not reminders.dismiss(current_user, activity_id):
        abort(404)
    return back()


@bp.route("/my-day/feed", methods=["POST"])
def feed_create():
    """Create the feed, or give it a new address; the address is shown on this answer only."""
    token = feed.create_or_reset(db.session(), current_user)
    page = render_template("myday/feed_created.html", url=feed.feed_url(token))
    return page, 201, {"Cache-Control": "no-store"}


@bp.route("/my-day/feed/revoke", methods=["POST"])
def feed_revoke():
    if feed.revoke(db.session(), current_user):
        flash(_("The calendar feed is turned off; calendars subscribed to it stop updating."), "success")
    return back()


@bp.route("/calendar", endpoint="calendar")
def calendar_page():
    try:
        period = calendar.build(current_user, request.args)
    except calendar.BadPeriod:
        abort(400)
    return render_template(
        "myday/calendar.html",
        period=period,
        heading=calendar.heading(period),
        day_names=calendar.day_names(),
        week_of_today=calendar.week_label(queries.today_of(current_user)),
        time_of=format_time,
        kinds=KIND_LABELS,
    )


@bp.route("/calendar/feed/<token>.ics", endpoint="feed")
@public
def feed_view(token: str):
    owner = feed.owner_of(db.session(), token)
    if owner is None:
        abort(404)
    headers = {
        "Content-Type": "text/calendar; charset=utf-8",
        "Content-Disposition": 'inline; filename="crmkit.ics"',
        "Cache-Control": "private, no-store",
        "X-Robots-Tag": "noindex",
    }
    return feed.build(owner, request.host), 200, headers
