"""The common filter bar: its fields, their choices and the current values, for the page's GET form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from crmkit.core.access.models import Department, Office
from crmkit.core.auth.models import User
from crmkit.i18n import lazy_gettext as _l
from crmkit.reports.context import Context
from crmkit.reports.declaration import PERIODS

PERIOD_LABELS = {
    "today": _l("Today"),
    "this_week": _l("This week"),
    "this_month": _l("This month"),
    "last_month": _l("Last month"),
    "this_quarter": _l("This quarter"),
    "this_year": _l("This year"),
    "all": _l("All time"),
    "custom": _l("Custom dates"),
}
COMMON_LABELS = {
    "office": _l("Office"),
    "department": _l("Department"),
    "employee": _l("Employee"),
    "pipeline": _l("Pipeline"),
    "source": _l("Source"),
}
CHOICE_LIMIT = 500  # offices, departments, employees: configuration-sized tables


@dataclass
class Field:
    name: str
    label: Any
    kind: str  # "choice", "date", "int", "text", "bool"
    value: Any
    choices: list[tuple[str, Any]]


def period_choices() -> list[tuple[str, Any]]:
    return [(p, PERIOD_LABELS[p]) for p in PERIODS]


def common_choices(ctx: Context, name: str) -> list[tuple[str, Any]]:
    db = ctx.db
    if name == "office":
        return [(str(o.id), o.name) for o in db.execute(select(Office).order_by(Office.name).limit(CHOICE_LIMIT)).scalars()]
    if name == "department":
        rows = db.execute(select(Department).order_by(Department.name).limit(CHOICE_LIMIT)).scalars()
        return [(str(d.id), d.name) for d in rows]
    if name == "employee":
        rows = db.execute(select(User).where(User.is_active.is_(True)).order_by(User.name, User.email).limit(CHOICE_LIMIT))
        return [(str(u.id), u.name or u.email) for u in rows.scalars()]
    if name == "pipeline":
        from crmkit.core.pipelines import names

        return [(str(p.id), names.shown(p.names)) for p in names.pipelines().values() if p.archived_at is None]
    if name == "source":
        from crmkit.core.contacts.schemas import SOURCE_LABELS, SOURCES

        return [(s, SOURCE_LABELS[s]) for s in SOURCES]
    return []


def fields(ctx: Context) -> list[Field]:
    """The bar's fields in order: period (with custom dates), the common ones the report shows,
    the group-by choice, then the report's own filters."""
    report, values = ctx.report, ctx.values
    found: list[Field] = []
    if report.shows("period"):
        found.append(Field("period", _l("Period"), "choice", values["period"], period_choices()))
        found.append(Field("start", _l("From"), "date", values["start"], []))
        found.append(Field("end", _l("To"), "date", values["end"], []))
    for name in ("office", "department", "employee", "pipeline", "source"):
        if report.shows(name):
            found.append(Field(name, COMMON_LABELS[name], "choice", values.get(name), common_choices(ctx, name)))
    if len(report.dimensions) > 1:
        found.append(Field("by", _l("Group by"), "choice", values.get("by"), [(d.name, d.label) for d in report.dimensions]))
    if len(report.measures) > 1:  # which figure the chart draws; the table shows them all
        found.append(Field("measure", _l("Chart"), "choice", values.get("measure"), [(m.name, m.label) for m in report.measures]))
    for extra in report.filters:
        choices = list(extra.choices(ctx)) if extra.choices else []
        found.append(Field(extra.name, extra.label, extra.kind, values.get(extra.name), choices))
    return found
