"""Hooks of the timeline built-in plugin: the timeline panel on every record's page, and on an
activity's page the record it is about."""

from __future__ import annotations

from crmkit import hookimpl
from crmkit.core.timeline import sources, views


@hookimpl
def register_blueprints():
    return [views.bp]


@hookimpl
def entity_panels(entity, record, user):
    if entity.key == sources.ACTIVITY:
        return views.about_panel(record, user)
    return [views.timeline_panel(entity, record, user)]
