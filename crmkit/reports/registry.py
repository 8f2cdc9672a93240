"""The app's reports, collected once from every plugin's register_reports and checked."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Flask, current_app

from crmkit.core.access.policy import access_for
from crmkit.entities.registry import EntityRegistry
from crmkit.i18n import lazy_gettext as _l
from crmkit.plugins import PluginError
from crmkit.reports.declaration import Report
from crmkit.types import Permission

EXTENSION = "crmkit.reports"


class ReportError(PluginError):
    """A report declaration is wrong; the message names the plugin and the report."""


class ReportPermissionLabel:
    """"Run the report X", translated when shown."""

    def __init__(self, label: Any):
        self.label = label

    def __str__(self) -> str:
        return str(_l("Run the report %(report)s", report=self.label))


class ReportRegistry:
    def __init__(self, reports: list[Report]):
        self._by_key = {r.key: r for r in sorted(reports, key=lambda r: (r.order, r.key))}

    def __iter__(self) -> Iterator[Report]:
        return iter(self._by_key.values())

    def __contains__(self, key: str) -> bool:
        return key in self._by_key

    def get(self, key: str) -> Report | None:
        return self._by_key.get(key)

    def runnable_by(self, user: Any, db) -> list[Report]:
        """The reports ``user`` may run: the report's permission and its entity's view."""
        access = access_for(db, user)
        return [r for r in self if access.can(r.permission) and access.can(f"{r.entity}.view")]


def check(report: Report, entities: EntityRegistry) -> None:
    where = f"plugin {report.plugin!r}, report {report.name!r}"
    if report.entity not in entities:
        raise ReportError(f"{where}: entity {report.entity!r} is not declared")
    if report.scripted:
        return  # a script reads the fields from whichever tables it selects
    columns = set(entities.get(report.entity).model.__table__.c.keys())
    named = [report.period_field, report.owner_field, report.pipeline_field, report.source_field, *report.where]
    named += [d.column for d in report.dimensions] + [m.column for m in report.measures]
    named += [name for m in report.measures for name in m.where] + [f.column for f in report.filters]
    unknown = sorted({name for name in named if name and name not in columns})
    if unknown:
        raise ReportError(f"{where}: the entity's table has no columns {', '.join(unknown)}")


def collect(pm, entities: EntityRegistry) -> ReportRegistry:
    reports: list[Report] = []
    for impl in pm.hook.register_reports.get_hookimpls():
        for report in impl.function() or []:
            report = report.owned_by(impl.plugin_name)
            check(report, entities)
            reports.append(report)
    keys = [r.key for r in reports]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise ReportError(f"two reports share the key {', '.join(duplicates)}")
    return ReportRegistry(reports)


def init_app(app: Flask) -> None:
    """Collect the reports and declare each one's permission, ``reports.<key>.view``."""
    state = app.extensions["crmkit"]
    found = collect(state.pm, state.entities)
    app.extensions[EXTENSION] = found
    for report in found:
        state.permissions.setdefault(report.permission, Permission(report.permission, ReportPermissionLabel(report.label)))


def reports() -> ReportRegistry:
    return current_app.extensions[EXTENSION]
