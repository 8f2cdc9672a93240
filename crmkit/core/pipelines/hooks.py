"""Pipelines as a built-in plugin: deals on the entity framework, moving through the stages of
configurable pipelines by the framework's workflow."""

from __future__ import annotations

from crmkit import EntityType, NavItem, Permission, Workflow, db, hookimpl
from crmkit.core.access.policy import user_can
from crmkit.core.pipelines import admin, board, commands, deal_views, deals, myday, panels, reports, timeline
from crmkit.core.pipelines.models import (
    Deal,
    DealCompetitor,
    DealPerson,
    LineItem,
    LossReason,
    Pipeline,
    PriceItem,
    Stage,
)
from crmkit.core.pipelines.schemas import DealSchema
from crmkit.core.pipelines.reports.stays import FunnelStay
from crmkit.core.pipelines.totals import DealTotal
from crmkit.i18n import lazy_gettext as _l

DEAL = "deal"


@hookimpl
def register_models():
    return [Pipeline, Stage, LossReason, Deal, DealPerson, DealCompetitor, PriceItem, LineItem, DealTotal, FunnelStay]


@hookimpl
def register_commands():
    return [commands.command]


@hookimpl
def register_entities():
    return [
        EntityType(
            name=DEAL,
            model=Deal,
            schema=DealSchema,
            label=_l("Deal"),
            label_plural=_l("Deals"),
            title_field="title",
            list_columns=("title", "organization_id", "stage_id", "amount", "currency", "expected_close_on"),
            filters=("pipeline_id", "stage_id", "owner_id", "organization_id", "source", "expected_close_on", "title"),
            sort_keys=("title", "expected_close_on"),
            search_fields=("title", "description"),
            nav_order=25,
            workflow=Workflow(field="stage_id", states=deals.stage_states),
        )
    ]


@hookimpl
def register_blueprints():
    return [board.bp, admin.bp, deal_views.bp]


@hookimpl
def register_permissions():
    return [Permission(admin.PERMISSION, _l("Set up pipelines, stages, loss reasons and the price list"))]


@hookimpl
def nav_items(user):
    """The board for those who may see deals; the pipelines setup for those who may change it."""
    items = [NavItem(_l("Board"), endpoint="pipelines_board.first", order=26)] if user_can(user, f"{DEAL}.view") else []
    if user_can(user, admin.PERMISSION):
        items.append(NavItem(_l("Pipelines"), endpoint="pipelines_admin.index", order=905))
    return items


@hookimpl
def entity_event(event, entity, record, changes):
    if entity.key == DEAL:
        deals.on_event(event, record, changes)


@hookimpl
def records_imported(entity, created_ids, updated_ids):
    """Deals imported into a won or lost stage are closed."""
    if entity.key == DEAL:
        deals.after_import(db.session(), [*created_ids, *updated_ids])


@hookimpl
def workflow_transition_check(entity, record, target, values):
    """No deal enters an archived pipeline or is closed as lost with an archived loss reason."""
    return deals.refused_move(record, target, values) if entity.key == DEAL else None


@hookimpl
def entity_panels(entity, record, user):
    """A deal's stage and closing, line items and people."""
    return panels.panels(entity, record, user) if entity.key == DEAL else []


@hookimpl
def entity_actions(entity, record, user):
    """Close as won or lost, or reopen."""
    return panels.actions(entity, record, user) if entity.key == DEAL else []


@hookimpl
def timeline_entries(entity, record, user, before, limit):
    """Deals opened and closed, on the timelines of their organisation and their people."""
    return timeline.entries(entity, record, user, before, limit)


@hookimpl
def myday_panels(user):
    """The user's rotting deals and those past their expected close."""
    return myday.panels(user)


@hookimpl
def register_reports():
    """The sales funnel (by period, side by side, as of a date) and the losses."""
    return reports.declared()
