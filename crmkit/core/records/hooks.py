"""Generic pages for every declared entity: list, detail, create, edit, archive; custom fields
that admins add, and saved list views."""

from __future__ import annotations

from flask import current_app

from crmkit import NavItem, db, hookimpl
from crmkit.core.access.policy import access_for, user_can
from crmkit.core.records import custom_fields, states
from crmkit.core.records.models import CustomField, SavedView
from crmkit.core.records.views import build_blueprint
from crmkit.entities import extensions
from crmkit.entities.history import Change
from crmkit.entities.transitions import Transition
from crmkit.i18n import lazy_gettext as _l


@hookimpl
def register_models():
    return [Change, Transition, CustomField, SavedView]


@hookimpl
def init_app(app):
    state = app.extensions["crmkit"]
    app.extensions["crmkit.entity_extensions"] = extensions.collect(state.pm, state.entities)
    extensions.custom_schema_provider = custom_fields.schema_for
    app.register_blueprint(build_blueprint(state.entities))


@hookimpl
def register_blueprints():
    return [custom_fields.bp]


@hookimpl
def entity_panels(entity, record, user):
    panel = states.time_panel(entity, db.session(), record)
    return [panel] if panel else []


@hookimpl
def nav_items(user):
    if not user.is_authenticated:
        return []
    access = access_for(db.session(), user)
    items = [
        NavItem(entity.label_plural, endpoint=f"records.{entity.endpoint_prefix}_list", order=entity.nav_order)
        for entity in current_app.extensions["crmkit"].entities
        if access.can(entity.permission("view"))
    ]
    if user_can(user, "core.customize"):
        items.append(NavItem(_l("Fields"), endpoint="custom_fields.index", order=910))
    return items
