"""Activities as a built-in plugin: calls, emails, meetings, tasks and notes on the entity
framework, each about one record of any entity."""

from __future__ import annotations

from crmkit import EntityType, db, hookimpl
from crmkit.core.activities import reports, rollup
from crmkit.core.activities.merging import records_merged, records_unmerged  # noqa: F401 - hookimpls
from crmkit.core.activities.models import Activity, CalendarFeed
from crmkit.core.activities.schemas import ActivitySchema
from crmkit.db import utcnow
from crmkit.i18n import lazy_gettext as _l


@hookimpl
def register_models():
    return [Activity, CalendarFeed, rollup.ActivityHour]


@hookimpl
def register_entities():
    return [
        EntityType(
            name="activity",
            model=Activity,
            schema=ActivitySchema,
            label=_l("Activity"),
            label_plural=_l("Activities"),
            title_field="subject",
            list_columns=("kind", "subject", "happened_at", "about_id", "counterpart", "status", "outcome"),
            filters=("kind", "status", "priority", "direction", "outcome", "about_entity", "about_id", "happened_at", "owner_id",
                     "done_at"),
            sort_keys=("happened_at",),
            search_fields=("subject", "body", "their_address", "place"),
            nav_order=30,
        )
    ]


@hookimpl
def entity_event(event, entity, record, changes):
    """Keep an activity's ``done_at`` in step with its status, whichever path changed it, and the
    hourly counts the reports read in step with the activity (rollup.py)."""
    if entity.key != "activity":
        return
    if event in ("before_create", "before_update") and "status" in changes:
        record.done_at = utcnow() if record.status == "done" else None
    if event.startswith("before_"):
        rollup.before_write(record)
    elif event != "after_transition":
        rollup.after_write(db.session(), record)


@hookimpl
def records_imported(entity, created_ids, updated_ids):
    if entity.key == "activity":
        rollup.imported(db.session(), created_ids, updated_ids)


@hookimpl
def register_reports():
    return reports.register()


@hookimpl
def register_commands():
    return [rollup.command]
