"""Caller lookup as a built-in plugin: ``/lookup`` for people, ``/api/v1/lookup`` for telephony,
and the ``caller_lookup`` hook through which other plugins add to what a call shows."""

from __future__ import annotations

from flask import current_app

from crmkit import NavItem, db, hookimpl
from crmkit.core.access.policy import access_for
from crmkit.core.lookup import api, views
from crmkit.i18n import lazy_gettext as _l


@hookimpl
def register_blueprints():
    return [views.bp, api.bp]


@hookimpl
def nav_items(user):
    """Offered to whoever may view people or organisations: the page finds only those."""
    if not user.is_authenticated:
        return []
    access = access_for(db.session(), user)
    entities = current_app.extensions["crmkit"].entities
    if any(access.can(entities.get(key).permission("view")) for key in ("person", "organization")):
        return [NavItem(_l("Who is calling"), endpoint="lookup.page", order=800)]
    return []
