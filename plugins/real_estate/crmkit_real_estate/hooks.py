"""The real_estate plugin's entry module: every hook implementation, each delegating to the part
that does the work (objects, demand, statistics, sources, offers...)."""

from __future__ import annotations

from crmkit import api
from crmkit_real_estate import alerts, cli, demand, lookup, matching_views, objects, saving, section, unmet
from crmkit_real_estate import demo as demo_module
from crmkit_real_estate import objects_report, offers, people, source_report, sources, statistics, widgets


@api.hookimpl
def register_models():
    return [*objects.MODELS, *demand.MODELS, *offers.MODELS, *sources.MODELS, *people.MODELS]


@api.hookimpl
def register_entities():
    return [objects.ENTITY, demand.ENTITY, *offers.ENTITIES, *sources.ENTITIES]


@api.hookimpl
def entity_event(event, entity, record, changes, user):
    if entity.key == objects.KEY:
        objects.on_event(event, record, changes, user)
        alerts.on_property_event(event, record, changes)
    if entity.key == demand.KEY:
        demand.on_event(event, record, changes)
    offers.on_event(event, entity, record, changes, user)
    sources.on_event(event, entity, record, changes, user)


# buyer demand and matching (RE-2)

@api.hookimpl
def entity_panels(entity, record, user):
    panels = []
    if entity.key in matching_views.ABOUT:
        panels += matching_views.about_panel(user, entity.key, record)
    if entity.key == objects.KEY:
        panels += matching_views.object_panel(user, record)
    if entity.key == demand.KEY:
        panels += matching_views.demand_panel(user, record)
    panels += statistics.panels(entity, record, user) + offers.panels(entity, record, user)
    panels += sources.panels(entity, record, user)
    return panels


@api.hookimpl
def records_imported(entity, created_ids, updated_ids, user):
    if entity.key == demand.KEY:
        demand.imported(created_ids, updated_ids)
    if entity.key == objects.KEY:
        saving.imported(created_ids, updated_ids, user)


@api.hookimpl
def register_blueprints():
    return [section.bp, matching_views.bp]


# objects, the section, the call card, commands (RE-1)

@api.hookimpl
def inventory_entities():
    return [objects.INVENTORY]


@api.hookimpl
def nav_items(user):
    return section.nav_items(user)


@api.hookimpl
def entity_actions(entity, record, user):
    return section.object_actions(record, user) if entity.key == objects.KEY else []


@api.hookimpl
def caller_lookup(entity, record, user):
    return lookup.asked_about(entity, record, user)


@api.hookimpl
def register_commands():
    return [cli.group]


@api.hookimpl
def register_jobs():
    return [api.Job(alerts.notify_matches)]


@api.hookimpl
def notification_kinds():
    return alerts.notification_kinds()


@api.hookimpl
def automation_triggers():
    return alerts.automation_triggers()


@api.hookimpl
def register_reports():
    return [*unmet.reports(), objects_report.REPORT, source_report.REPORT]


# statistics, advertising, offers, people's roles, widgets (RE-3)

@api.hookimpl
def entity_extensions():
    return people.EXTENSIONS


@api.hookimpl
def dashboard_widgets(user):
    return widgets.widgets(user)


@api.hookimpl
def demo_data(demo):
    return demo_module.data(demo)
