"""Leads as a built-in plugin: the lead entity and its workflow, the sources admins name, and
the ``intake_sources`` hook every channel (form, webhook, mailbox, telephony) declares itself on."""

from __future__ import annotations

import json

from sqlalchemy import update

from crmkit import EntityType, NavItem, Panel, Permission, db, hookimpl
from crmkit.core.access.policy import user_can
from crmkit.core.leads import admin
from crmkit.core.leads.channels import MANUAL
from crmkit.core.leads.models import Lead, Source, SourceMatch
from crmkit.core.leads.schemas import LeadSchema
from crmkit.core.leads.workflow import WORKFLOW
from crmkit.db import utcnow
from crmkit.i18n import lazy_gettext as _l

LEAD = "lead"
RAW_PERMISSION = "leads.view_raw"


@hookimpl
def register_models():
    return [Source, SourceMatch, Lead]


@hookimpl
def register_entities():
    return [
        EntityType(
            name=LEAD,
            model=Lead,
            schema=LeadSchema,
            label=_l("Lead"),
            label_plural=_l("Leads"),
            title_field="name",
            list_columns=("name", "phones", "emails", "channel", "source_id", "status", "response", "received_at"),
            filters=("status", "channel", "source_id", "owner_id", "rejection_reason", "reprocess_reason", "name"),
            sort_keys=("received_at",),
            search_fields=("name", "organization_name", "phones", "emails", "request"),
            nav_order=22,
            workflow=WORKFLOW,
        )
    ]


@hookimpl
def register_permissions():
    group = _l("Leads")
    return [
        Permission(RAW_PERMISSION, _l("See the payload a lead arrived with"), group),
        Permission(admin.PERMISSION, _l("Set up lead channels, sources, web forms and webhooks"), group),
    ]


@hookimpl
def register_blueprints():
    return [admin.bp]


@hookimpl
def nav_items(user):
    """The intake setup for those who may change it."""
    return [NavItem(_l("Lead intake"), endpoint="leads_admin.index", order=906)] if user_can(user, admin.PERMISSION) else []


@hookimpl
def intake_sources():
    """Leads someone types in by hand."""
    return [MANUAL]


@hookimpl
def entity_event(event, entity, record, changes):
    """Every status change and every activity about a lead is an action on it (stale detection
    reads ``last_action_at``); an activity's touch is one UPDATE, leaving the lead's version be."""
    if entity.key == LEAD and event == "before_update" and "status" in changes:
        record.last_action_at = utcnow()
    elif entity.key == "activity" and event in ("after_create", "after_update") and getattr(record, "about_entity", None) == LEAD:
        db.session().execute(update(Lead).where(Lead.id == record.about_id).values(last_action_at=utcnow()))


@hookimpl
def entity_panels(entity, record, user):
    """The payload a lead arrived with, for admins alone: it may hold what the sender never meant
    agents to read (tracking ids, other form fields)."""
    if entity.key != LEAD or not user_can(user, RAW_PERMISSION):
        return []
    raw = None if record.raw is None else json.dumps(record.raw, ensure_ascii=False, indent=2, default=str)
    return [Panel(_l("As it arrived"), "leads/panel_raw.html", {"raw": raw}, order=90)]
