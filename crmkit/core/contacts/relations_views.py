"""Adding and ending a person's jobs at other organisations, from the person's page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from crmkit.core.contacts.models import Employment
from crmkit.core.contacts.relations import records_of
from crmkit.core.records import links
from crmkit.entities.errors import RecordError
from crmkit.entities.history import Change
from crmkit.i18n import gettext as _

bp = Blueprint("contacts_jobs", __name__, template_folder="templates")


def editable_person(person_id: int):
    people = records_of("person", current_user)
    try:
        people.require("edit")
        return people, people.get(person_id)
    except RecordError as error:
        abort(error.status)


def log(people, person, change: dict) -> None:
    people.db.add(Change(entity="person", record_id=person.id, action="update", user_id=current_user.id, changes=change))


@bp.post("/person/<int:person_id>/jobs")
@login_required
def add(person_id: int):
    people, person = editable_person(person_id)
    chosen = links.from_form(request.form, "organization_id", "organization")  # a select's id, or a picker's
    position = (request.form.get("position") or "").strip()[:200] or None
    if isinstance(chosen, links.Unresolved):
        flash(chosen.reason, "error")
        return redirect(url_for("records.person_detail", record_id=person.id) + "#jobs")
    try:
        organization = records_of("organization", current_user).get(int(chosen) if (chosen or "").isdigit() else 0)
    except RecordError:
        flash(_("Choose an organisation you can see."), "error")
        return redirect(url_for("records.person_detail", record_id=person.id) + "#jobs")
    people.db.add(Employment(person_id=person.id, organization_id=organization.id, position=position))
    log(people, person, {"jobs": [None, f"{organization.name}: {position or ''}".strip(": ")]})
    people.db.commit()
    flash(_("Job added."), "success")
    return redirect(url_for("records.person_detail", record_id=person.id) + "#jobs")


@bp.post("/person/<int:person_id>/jobs/<int:job_id>/end")
@login_required
def end(person_id: int, job_id: int):
    people, person = editable_person(person_id)
    job = people.db.get(Employment, job_id)
    if job is None or job.person_id != person.id:
        abort(404)
    if request.form.get("action") == "remove":
        people.db.delete(job)
        log(people, person, {"jobs": [f"#{job.organization_id}: {job.position or ''}", None]})
        flash(_("Job removed."), "success")
    else:
        job.current = False
        log(people, person, {"jobs": [f"#{job.organization_id}: {job.position or ''}", _("ended")]})
        flash(_("Job marked as ended."), "success")
    people.db.commit()
    return redirect(url_for("records.person_detail", record_id=person.id) + "#jobs")
