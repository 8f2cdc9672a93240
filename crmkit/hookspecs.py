"""Every hook crmkit offers to plugins, built-in or third-party.

Each spec is an empty typed function. Its docstring has one layout: a summary line,
``:param name:`` for every argument, ``:return:`` for what an implementation gives back,
and "Stops at the first non-None result." where one answer wins (firstresult).
Hooks evolve only by adding optional arguments, so old implementations keep working.
The business frames' hooks (automation, leads, telephony's caller lookup, notifications, inventory,
demo data) are in crmkit/frame_hookspecs.py. docs/plugins.md documents each hook for plugin
authors; tests/test_docs.py keeps the two in step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click
    from flask import Blueprint, Flask

    from crmkit.entities.declaration import EntityType
    from crmkit.entities.extensions import EntityExtension
    from crmkit.entities.workflow import State
    from crmkit.reports.declaration import Report
    from crmkit.types import Action, AuditAction, DashboardWidget, NavItem, Panel, Permission

PROJECT = "crmkit"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec(historic=True)
def register_hookspecs(plugin_manager: pluggy.PluginManager) -> None:
    """Add hookspecs that this plugin offers to other plugins.

    Called once for every plugin, including ones registered later, before hooks are checked.

    :param plugin_manager: the app's plugin manager; call ``plugin_manager.add_hookspecs(module)``.
    :return: nothing.
    """


@hookspec
def init_app(app: Flask) -> None:
    """Configure the app once at start-up: config defaults, extensions, request handlers.

    :param app: the Flask app being built; keep plugin state in ``app.extensions``.
    :return: nothing.
    """


@hookspec
def register_models() -> list[type[Any]]:
    """Declare the SQLModel tables this plugin owns.

    Their migrations live in the plugin's own lineage (``migrations/versions`` beside its
    ``hooks.py``) with its own version table; crmkit never creates tables on load.
    A third-party plugin's table names start with the plugin's name and an underscore.

    :return: SQLModel classes declared with ``table=True``.
    """


@hookspec
def register_blueprints() -> list[Blueprint]:
    """Add pages and endpoints.

    Name a blueprint after the plugin and mount it under ``/<plugin name>``. Every endpoint
    requires a logged-in user unless its view is wrapped in ``crmkit.public``.

    :return: Flask blueprints, registered on the app in plugin order.
    """


@hookspec
def register_commands() -> list[click.Command]:
    """Add commands to the ``crmkit`` command line.

    Name a group after the plugin (``crmkit real_estate ...``). Commands run inside the app
    context, so ``crmkit.db.session()`` works.

    :return: click commands or groups.
    """


@hookspec
def nav_items(user: Any) -> list[NavItem]:
    """Add entries to the main navigation.

    :param user: the logged-in user, or an anonymous user object.
    :return: ``crmkit.NavItem`` values; the layout sorts them by ``order`` then label.
    """


@hookspec
def template_context(template_name: str | None, request: Any) -> dict[str, Any] | None:
    """Add variables to every rendered template.

    :param template_name: the template being rendered, or None for a string template.
    :param request: the current Flask request.
    :return: a dict merged into the template context, or None.
    """


@hookspec
def register_csp_sources(app: Flask) -> dict[str, list[str]] | None:
    """Add sources to the Content-Security-Policy of every response, e.g. a map's tile server.

    Called once at start-up. Sources are only added; one that loosens the policy
    (``'unsafe-inline'``, ``'unsafe-eval'``, ``*``, a directive that is ``'none'``...) stops
    crmkit at start-up unless the deployment allows it in ``CSP_ALLOW``.

    :param app: the Flask app being built, for the plugin's settings in ``app.config``.
    :return: directive to sources to add, e.g. ``{"img-src": ["https://tiles.example"]}``, or None.
    """


@hookspec
def dashboard_widgets(user: Any) -> list[DashboardWidget]:
    """Add widgets to the home page.

    :param user: the logged-in user the page is built for.
    :return: ``crmkit.DashboardWidget`` values; the page sorts them by ``order``.
    """


@hookspec
def register_reports() -> list[Report]:
    """Declare reports: each gets the filter bar, a chart, the table, drill-down, export, saving and mailing.

    A declared report names dimensions and measures that compile to one SQL aggregate with the
    user's record visibility applied; a scripted one builds its own Core selects from a
    ``crmkit.reports.Context`` (see crmkit/reports/declaration.py and docs/reports.md).

    :return: ``crmkit.reports.Report`` values; each is run under ``reports.<key>.view``.
    """


@hookspec
def myday_panels(user: Any) -> list[Panel]:
    """Add sections to My day, the agent's page of what needs doing now.

    :param user: the logged-in user the page is built for; show only what they may see.
    :return: ``crmkit.Panel`` values; My day shows them after its own sections, sorted by ``order``.
    """


@hookspec
def register_permissions() -> list[Permission]:
    """Declare permissions that roles can be granted, beyond the ones every entity gets.

    Each entity type gets ``<key>.view``, ``.create``, ``.edit``, ``.archive``, ``.import`` and
    ``.export`` without declaring them.

    :return: ``crmkit.Permission`` values named ``<plugin>.<what>``.
    """


@hookspec
def register_audit_actions() -> list[AuditAction]:
    """Name the actions a plugin writes to the audit log, so admins read them in their language.

    :return: ``crmkit.api.AuditAction`` values, one per ``<plugin>.<what>`` the plugin records.
    """


@hookspec
def register_entities() -> list[EntityType]:
    """Declare entity types: each gets list, detail and edit pages, history, locking and visibility.

    :return: ``crmkit.EntityType`` values; their ``model`` subclasses ``crmkit.Record``.
    """


@hookspec
def entity_extensions() -> list[EntityExtension]:
    """Add fields to another plugin's entity, grouped under this plugin's name.

    :return: ``crmkit.EntityExtension`` values: light fields kept in the record's ``extra`` JSON
        column, or typed fields in a table this plugin owns, one row per extended record.
    """


@hookspec
def entity_event(event: str, entity: EntityType, record: Any, changes: dict[str, Any], user: Any) -> None:
    """React to a record being created, changed, archived or restored.

    ``before_*`` events run before the change is written and may raise ``crmkit.Invalid`` to
    refuse it; ``after_*`` events run in the same transaction, just before it commits.

    :param event: ``before_create``, ``after_create``, ``before_update``, ``after_update``,
        ``before_archive``, ``after_archive``, ``before_restore``, ``after_restore``, or
        ``after_transition`` (a workflow's state changed, on a create too; ``changes`` holds the
        state field as ``[old key, new key]``).
    :param entity: the record's entity type.
    :param record: the record, with its new values.
    :param changes: for updates, each changed field as ``[old, new]``; for creates, the values.
    :param user: the user making the change.
    :return: nothing.
    """


@hookspec
def workflow_transition_check(
    entity: EntityType, record: Any, source: State | None, target: State, values: dict[str, Any], user: Any
) -> str | None:
    """Refuse a move of a record to another state of its workflow, with a reason.

    Called on every path (pages, API, jobs, boards) once the workflow allows the move and the
    target's required fields are filled, before anything is written.

    :param entity: the record's entity type; its ``workflow`` declares the states.
    :param record: the record as it is stored, or None when it is being created.
    :param source: the ``crmkit.State`` the record is in, or None for a new record.
    :param target: the ``crmkit.State`` it would enter.
    :param values: the input being saved with the move, as the schema loaded it.
    :param user: the user moving it.
    :return: a reason in the user's language (``gettext``) to refuse the move, shown under the
        state field; or None to let it happen.
    """


@hookspec
def records_imported(entity: EntityType, created_ids: list[int], updated_ids: list[int], user: Any) -> None:
    """React to records written in bulk by an import, once per chunk, instead of ``entity_event``.

    Runs in the chunk's transaction, just before it commits; keep it to set-based work.

    :param entity: the entity type imported into.
    :param created_ids: ids of the records this chunk created.
    :param updated_ids: ids of the existing records this chunk changed.
    :param user: the user the import runs as.
    :return: nothing.
    """


@hookspec
def entity_panels(entity: EntityType, record: Any, user: Any) -> list[Panel]:
    """Add panels to a record's page, beside its fields and history.

    :param entity: the record's entity type.
    :param record: the record shown.
    :param user: the user looking at it.
    :return: ``crmkit.Panel`` values; the page sorts them by ``order``.
    """


@hookspec
def entity_actions(entity: EntityType, record: Any, user: Any) -> list[Action]:
    """Add buttons to a record's page.

    :param entity: the record's entity type.
    :param record: the record shown.
    :param user: the user looking at it; offer only what they may do.
    :return: ``crmkit.Action`` values; the page sorts them by ``order``.
    """


@hookspec
def phone_actions(entity: EntityType, record: Any, user: Any) -> list[Action]:
    """Offer actions on every phone number a record's page shows (click-to-call, a text message).

    Called once per page; each action is a button beside each number, sending the number in
    E.164 as the form field ``phone`` (``method="post"``, with a CSRF token) or as the query
    argument ``phone`` (``method="get"``).

    :param entity: the record's entity type (``person``, ``organization``, ``lead``...).
    :param record: the record shown.
    :param user: the user looking at it; offer only what they may do.
    :return: ``crmkit.Action`` values; sorted by ``order``.
    """


@hookspec
def page_fragments(user: Any) -> list[str]:
    """Add templates to the end of every full page (those extending ``base.html``).

    For what lives on every page whatever it shows: a live region that pushed news appears in
    (an incoming call), with the ``<script src>`` and stylesheet that run it (no inline code:
    the Content-Security-Policy forbids it).

    :param user: the user the page is for (may be anonymous on the login page).
    :return: template names, included in the plugins' load order.
    """


@hookspec
def entity_list_actions(entity: EntityType, user: Any, args: dict[str, str]) -> list[Action]:
    """Add links to an entity's list page, beside Import and Export.

    :param entity: the entity type listed.
    :param user: the user looking at the list; offer only what they may do.
    :param args: the list's query arguments (filters, sort), to carry into an export.
    :return: ``crmkit.Action`` values; the page sorts them by ``order``.
    """


@hookspec
def register_jobs() -> list[Any]:
    """Declare background jobs and periodic jobs, bound to the app's job queue when the app is built.

    :return: ``crmkit.Job`` and ``crmkit.PeriodicJob`` values; each is named ``<plugin>.<name>``
        and queued with ``crmkit.jobs.enqueue(name, *args, user=...)``.
    """


@hookspec
def timeline_entries(entity: EntityType, record: Any, user: Any, before: Any, limit: int) -> list[Any]:
    """Add entries to a record's timeline, beside its activities and history.

    :param entity: the record's entity type.
    :param record: the record whose timeline is shown.
    :param user: the user looking at it; return only what they may see.
    :param before: None for the newest entries, else a ``crmkit.core.timeline.Cursor``: return only
        entries older than it (``before.admits(entry)``, or in SQL
        ``before.condition(at_column, id_column, source)``).
    :param limit: the most entries to return, the newest ones; query with this LIMIT.
    :return: ``crmkit.core.timeline.TimelineEntry`` values.
    """


@hookspec
def attachment_event(event: str, attachment: Any, entity_key: str, user: Any) -> None:
    """React to a file being attached to a record or removed from it, on every path (the record
    page's upload, the REST API, a plugin's ``api.attach_file``, a generated document).

    Runs in the caller's transaction: what an implementation writes is saved with the file or
    not at all; raise ``crmkit.core.files.Refused`` to refuse the upload with a message.

    :param event: ``after_create`` (the row is flushed, its blob stored) or ``before_delete``.
    :param attachment: the ``crmkit.core.files.Attachment`` row (``kind``, ``filename``, ``sha256``...).
    :param entity_key: the key of the record's entity type; the record's id is ``attachment.record_id``.
    :param user: who attached or removed it; None for a job without a user.
    :return: nothing.
    """


@hookspec
def api_paths(entity: EntityType, user: Any) -> dict[str, Any]:
    """Document REST operations a plugin serves under an entity's API path (``/api/v1/<path>``).

    Called while the OpenAPI document is built, for each entity the caller may view; the plugin
    serves the routes itself (a blueprint registered in ``init_app``).

    :param entity: the entity type whose API is documented.
    :param user: the caller, who may view this entity's records.
    :return: OpenAPI path items keyed by their full path (``/api/v1/deals/{record_id}/...``),
        ``{}`` for none.
    """


@hookspec
def record_warnings(entity: EntityType, values: dict[str, Any], record: Any, user: Any) -> list[Any]:
    """Warn that a record about to be saved looks like one that exists (a likely duplicate).

    The create and edit forms call it once the input is valid, before saving; when any plugin
    warns, the form is shown again with the warnings, a link to each similar record and a
    "Save anyway" button, which sends the form back with ``confirm_warnings=1``.

    :param entity: the entity type of the record.
    :param values: the validated input, as the schema loaded it (extension fields nested under
        their group's name).
    :param record: the record being edited, or None when one is being created.
    :param user: the user saving it; name only records they may see.
    :return: warnings, each an object or dict with ``message`` and, optionally, ``title`` and
        ``href`` of the similar record.
    """


@hookspec
def records_merged(entity: EntityType, kept: Any, merged: Any, user: Any) -> dict[str, Any] | None:
    """Move this plugin's rows that point at a merged record to the record kept.

    Runs in the merge's transaction, before the merged record is archived; don't commit.

    :param entity: the entity type of both records.
    :param kept: the record that stays, its fields already updated.
    :param merged: the record merged into it, about to be archived.
    :param user: the user merging them.
    :return: what was moved, JSON-safe (``{"activities": [4, 7]}``): kept in the merge's history
        entry and handed back to ``records_unmerged`` on undo; None when nothing moved.
    """


@hookspec
def records_unmerged(entity: EntityType, kept: Any, merged: Any, moved: Any, user: Any) -> None:
    """Move back what this plugin moved when a merge is undone.

    Called only for plugins whose ``records_merged`` returned something, in the undo's transaction.

    :param entity: the entity type of both records.
    :param kept: the record that was kept.
    :param merged: the merged record, restored.
    :param moved: what this plugin's ``records_merged`` returned for that merge.
    :param user: the user undoing the merge.
    :return: nothing.
    """
