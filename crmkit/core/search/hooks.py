"""Search as a built-in plugin: the index kept in step with every record change, the /search
page behind the top bar's search box, and `crmkit search reindex`."""

from __future__ import annotations

from crmkit import hookimpl, search
from crmkit.core.search import commands, views
from crmkit.search.models import SearchDocument

# Archived records stay indexed, so the archive stays searchable; search() leaves them out by default.
INDEXED_EVENTS = ("after_create", "after_update", "after_archive", "after_restore")


@hookimpl
def register_models():
    return [SearchDocument]


@hookimpl
def entity_event(event, entity, record, changes, user):
    if event in INDEXED_EVENTS and not unsearched_update(event, entity, changes):
        search.index(entity, record)


def unsearched_update(event, entity, changes) -> bool:
    """An update that changed none of the searched fields (a stage move, a new owner) leaves the
    index as it was, so re-indexing it would only cost a DELETE and an INSERT."""
    return event == "after_update" and not any(name in changes for name in entity.search_fields)


@hookimpl
def records_imported(entity, created_ids, updated_ids, user):
    search.index_ids(entity, list(created_ids) + list(updated_ids))


@hookimpl
def register_blueprints():
    return [views.bp]


@hookimpl
def register_commands():
    return [commands.search_group]
