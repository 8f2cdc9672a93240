"""Duplicates of people and organisations as a built-in plugin: a warning on the form when a new
record looks like an existing one, the duplicates page, merging two records into one and undoing
a merge from the history."""

from __future__ import annotations

from crmkit import NavItem, Permission, hookimpl
from crmkit.core.duplicates import moves, similar, views
from crmkit.core.duplicates.merging import PERMISSION
from crmkit.i18n import lazy_gettext as _l


@hookimpl
def register_permissions():
    return [Permission(PERMISSION, _l("Merge duplicate people and organisations, and undo merges"))]


@hookimpl
def register_blueprints():
    return [views.bp]


@hookimpl
def nav_items(user):
    if user.is_authenticated and views.may_look(user):
        return [NavItem(_l("Duplicates"), endpoint="duplicates.index", order=810)]
    return []


@hookimpl
def record_warnings(entity, values, record, user):
    return similar.record_warnings(entity, values, record, user)


@hookimpl
def records_merged(entity, kept, merged, user):
    """The merged record's history, the people and branches of an organisation, employment rows."""
    return moves.merged(entity.key, kept.id, merged.id)


@hookimpl
def records_unmerged(entity, kept, merged, moved, user):
    moves.unmerged(entity.key, kept.id, merged.id, moved)
