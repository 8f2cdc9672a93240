"""The timeline pages: a record's full timeline, quick entry, and marking a task done.

URLs follow the record pages' (``/timeline/real_estate/property/7`` for ``/real_estate/property/7``),
so dotted plugin entity keys work as built-in ones do. Every view first finds the record through
``Records``, so a record the user can't see gives 404 here as on its own page.
"""

from __future__ import annotations

from typing import Any

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
from flask_login import current_user

from crmkit.core.timeline import quick, sources
from crmkit.core.timeline.entries import Cursor
from crmkit.entities.declaration import EntityType
from crmkit.entities.service import Conflict, Invalid, RecordError, Records
from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_gettext as _l
from crmkit.redirects import local_url
from crmkit.types import Panel

bp = Blueprint("timeline", __name__, url_prefix="/timeline", template_folder="templates")
FILTER_LABELS = {
    "all": _l("All"),
    "calls": _l("Calls"),
    "emails": _l("Emails"),
    "meetings": _l("Meetings"),
    "tasks": _l("Tasks"),
    "notes": _l("Notes"),
    "changes": _l("Changes"),
}


def entity_at(path: str) -> EntityType:
    """The entity whose URL segment is ``path``; activities have no timeline of their own."""
    entities = current_app.extensions["crmkit"].entities
    key = path.replace("/", ".")
    if key not in entities or key == sources.ACTIVITY:
        abort(404)
    return entities.get(key)


def record_of(entity: EntityType, record_id: int) -> Any:
    try:
        return Records(entity, current_user).get(record_id)
    except RecordError as error:
        abort(error.status)


def record_url(entity: EntityType, record: Any) -> str:
    return url_for(f"records.{entity.endpoint_prefix}_detail", record_id=record.id)


def timeline_url(entity: EntityType, record_id: int, **args: Any) -> str:
    return url_for("timeline.page", entity_path=entity.path, record_id=record_id, **args)


def can_log(record: Any) -> bool:
    target = sources.activity_entity()
    return target is not None and not record.is_archived and Records(target, current_user).can("create")


def context(entity: EntityType, record: Any, page: sources.Page, forms: dict[str, quick.QuickForm]) -> dict[str, Any]:
    """What the panel and the page share: the entries, the filters, the quick forms."""
    return {
        "entity": entity,
        "record": record,
        "timeline": page,
        "filters": FILTER_LABELS,
        "forms": forms if can_log(record) else {},
        "log_url": url_for("timeline.log", entity_path=entity.path, record_id=record.id),
        "filter_url": lambda kind: timeline_url(entity, record.id, kind=kind),
        "older_url": timeline_url(entity, record.id, kind=page.kind, before=page.next_cursor.encode())
        if page.next_cursor
        else None,
    }


def timeline_panel(entity: EntityType, record: Any, user: Any) -> Panel:
    """The first page of the timeline on the record's own page, with the quick entry forms."""
    page = sources.load(entity, record, user, "all", None, sources.PANEL_SIZE)
    found = context(entity, record, page, quick.blank_forms(record))
    return Panel(_l("Timeline"), "timeline/panel.html", found, order=10)


def about_panel(activity: Any, user: Any) -> list[Panel]:
    """On an activity's page: the record it is about, linked when the user may see it."""
    entities = current_app.extensions["crmkit"].entities
    key = activity.about_entity
    if not key or activity.about_id is None or key not in entities:
        return []
    about = entities.get(key)
    try:
        record = Records(about, user).get(activity.about_id)
    except RecordError:
        record = None
    found = {"about": about, "record": record, "about_id": activity.about_id}
    if record is not None:
        found["url"] = record_url(about, record)
        found["timeline_url"] = timeline_url(about, record.id)
    return [Panel(_l("About"), "timeline/about.html", found, order=5)]


def render_page(entity: EntityType, record: Any, forms: dict[str, quick.QuickForm], status: int = 200):
    kind = request.args.get("kind", "all")
    if kind not in sources.FILTERS:
        abort(400)
    try:
        before = Cursor.decode(request.args["before"]) if request.args.get("before") else None
    except ValueError:
        abort(400)
    page = sources.load(entity, record, current_user, kind, before, sources.PAGE_SIZE)
    found = context(entity, record, page, forms)
    found.update(record_url=record_url(entity, record), paged=before is not None)
    return render_template("timeline/page.html", **found), status


@bp.get("/<path:entity_path>/<int:record_id>")
def page(entity_path: str, record_id: int):
    entity = entity_at(entity_path)
    record = record_of(entity, record_id)
    return render_page(entity, record, quick.blank_forms(record))


@bp.post("/<path:entity_path>/<int:record_id>/log")
def log(entity_path: str, record_id: int):
    """Create a call, note or task about the record; errors come back on the timeline page."""
    entity = entity_at(entity_path)
    record = record_of(entity, record_id)
    target = sources.activity_entity()
    activities = Records(target, current_user)
    if not activities.can("create"):
        abort(403)
    kind = request.form.get("kind")
    if kind not in quick.KINDS:
        abort(400)
    values = quick.typed(kind, request.form)
    data, errors = quick.activity_data(kind, values, entity.key, record.id)
    try:
        if errors:  # show the schema's messages too, all at once
            activities.validate(data, partial=False)
        else:
            activities.create(data)
            flash(str(quick.DONE[kind]), "success")
            return redirect(local_url(request.form.get("next"), record_url(entity, record)))
    except Invalid as error:
        errors = {**quick.form_errors(error.fields), **errors}
    except RecordError as error:
        abort(error.status)
    forms = quick.blank_forms(record)
    forms[kind] = quick.QuickForm(kind, values, errors, open=True)
    return render_page(entity, record, forms, 422)


@bp.post("/tasks/<int:activity_id>/done")
def done(activity_id: int):
    """Mark a task done, as of the version the person saw."""
    version = request.args.get("version", type=int)
    if version is None:
        abort(400)
    activities = Records(sources.activity_entity(), current_user)
    try:
        task = activities.get(activity_id)
        if task.kind != "task":
            abort(400)
        activities.update(task, {"status": "done"}, version=version)
        flash(_("Task done."), "success")
    except Conflict:
        flash(_("Someone changed this task in the meantime; look at it again."), "error")
    except Invalid:
        abort(400)
    except RecordError as error:
        abort(error.status)
    return redirect(local_url(request.form.get("next"), back_from(task)))


def back_from(task: Any) -> str:
    entities = current_app.extensions["crmkit"].entities
    if task.about_entity in entities and task.about_id is not None:
        return url_for(f"records.{entities.get(task.about_entity).endpoint_prefix}_detail", record_id=task.about_id)
    return url_for("records.activity_detail", record_id=task.id)
