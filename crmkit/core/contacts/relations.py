"""Who works where: an organisation's people and branches, a person's jobs. Each list is one
indexed query with a limit, through the viewer's own visibility."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from crmkit.core.contacts.models import Employment, Organization, Person
from crmkit.core.records import links
from crmkit.entities.forms import FormField
from crmkit.entities.service import Records
from crmkit.i18n import lazy_gettext as _l

SHOWN = 20


@dataclass
class Slice:
    """The first records of a list and how many there are in all."""

    rows: list[Any]
    total: int


def records_of(key: str, user: Any) -> Records:
    return Records(current_app.extensions["crmkit"].entities.get(key), user)


def first(records: Records, condition) -> Slice:
    model = records.model
    statement = records.select().where(condition)
    rows = list(records.db.execute(statement.order_by(model.name, model.id).limit(SHOWN)).scalars())
    total = len(rows)
    if total == SHOWN:
        total = records.db.execute(statement.with_only_columns(func.count()).order_by(None)).scalar_one()
    return Slice(rows, total)


def people_of(organization: Organization, user: Any) -> tuple[Slice, list[tuple[Any, Employment]]]:
    """People whose main job is here, and people who also work here (contacts_employment)."""
    people = records_of("person", user)
    if not people.can("view"):
        return Slice([], 0), []
    main = first(people, Person.organization_id == organization.id)
    statement = (
        people.select()
        .add_columns(Employment)
        .join(Employment, Employment.person_id == Person.id)
        .where(Employment.organization_id == organization.id)
        .order_by(Employment.current.desc(), Person.name)
        .limit(SHOWN)
    )
    return main, [(row[0], row[1]) for row in people.db.execute(statement)]


def branches_of(organization: Organization, user: Any) -> Slice:
    organizations = records_of("organization", user)
    return first(organizations, Organization.parent_id == organization.id)


def jobs_of(person: Person, user: Any) -> list[tuple[Employment, Any]]:
    """A person's other jobs with the organisation when the viewer sees it (else None)."""
    db = records_of("person", user).db
    jobs = list(
        db.execute(
            select(Employment).where(Employment.person_id == person.id).order_by(Employment.current.desc(), Employment.id)
        ).scalars()
    )
    organizations = records_of("organization", user)
    ids = {job.organization_id for job in jobs}
    seen = {}
    if ids and organizations.can("view"):
        seen = {o.id: o for o in db.execute(organizations.select(include_archived=True).where(Organization.id.in_(ids))).scalars()}
    return [(job, seen.get(job.organization_id)) for job in jobs]


def organization_field(user: Any) -> FormField | None:
    """The "Add job" form's organisation: a select when the user sees few, else a picker (see
    links.fill_choices); None when they see none."""
    field = FormField("organization_id", _l("Organisation"), "number", required=True, link="organization")
    links.fill_choices([field])
    return field if field.search_url or field.choices else None
