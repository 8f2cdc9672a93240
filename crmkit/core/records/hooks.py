"""Generic pages for every declared entity: list, detail, create, edit, archive."""

from __future__ import annotations

from flask import current_app

from crmkit import NavItem, db, hookimpl
from crmkit.core.access.policy import access_for
from crmkit.core.records.views import build_blueprint
from crmkit.entities.history import Change


@hookimpl
def register_models():
    return [Change]


@hookimpl
def init_app(app):
    app.register_blueprint(build_blueprint(app.extensions["crmkit"].entities))


@hookimpl
def nav_items(user):
    if not user.is_authenticated:
        return []
    access = access_for(db.session(), user)
    return [
        NavItem(entity.label_plural, endpoint=f"records.{entity.endpoint_prefix}_list", order=entity.nav_order)
        for entity in current_app.extensions["crmkit"].entities
        if access.can(entity.permission("view"))
    ]
