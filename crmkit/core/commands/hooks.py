"""`crmkit db ...` and `crmkit plugins ...`: migrations and the enabled set, from a shell."""

from __future__ import annotations

import json

import click
from flask import current_app

from crmkit import db, hookimpl
from crmkit.core.admin import service
from crmkit.i18n import gettext as _
from crmkit.i18n import ngettext
from crmkit.migrate import MigrationError, lineage_of, pending_changes, revision, upgrade


def state():
    return current_app.extensions["crmkit"]


@click.group("db")
def db_group():
    """Create and upgrade the database, one migration lineage per plugin."""


@db_group.command("upgrade")
def db_upgrade():
    """Upgrade the core, then every enabled plugin, to its newest migration."""
    lineages = state().lineages
    with click.progressbar(lineages, label=_("Upgrading"), item_show_func=lambda lin: lin.name if lin else "") as bar:
        for lineage in bar:
            try:
                upgrade(db.engine(), lineage)
            except MigrationError as exc:
                raise click.ClickException(str(exc)) from exc
    click.echo(
        ngettext(
            "Database is up to date (%(num)d lineage).",
            "Database is up to date (%(num)d lineages).",
            len(lineages),
        )
    )


@db_group.command("current")
def db_current():
    """Show each lineage's revision in the database beside its newest one."""
    for lineage in state().lineages:
        current, head = lineage.current(db.engine()), lineage.head()
        mark = _("up to date") if current == head else _("needs upgrade")
        click.echo(
            _(
                "%(lineage)s: %(current)s (head %(head)s, %(state)s)",
                lineage=lineage.name,
                current=current or "-",
                head=head or "-",
                state=mark,
            )
        )


def lineage_named(name: str):
    """An active lineage, or an installed plugin's that is not enabled yet.

    Enabling needs the plugin's first migration, so an author writes it before enabling.
    """
    found = next((lin for lin in state().lineages if lin.name == name), None)
    installed = next((p for p in state().installed if p.name == name), None)
    if found is None and installed is not None:
        try:
            found = lineage_of(installed)
        except MigrationError as exc:
            raise click.ClickException(str(exc)) from exc
    if found is None:
        names = ", ".join(lin.name for lin in state().lineages)
        raise click.ClickException(_("no lineage %(name)r; active lineages: %(names)s", name=name, names=names))
    return found


@db_group.command("revision")
@click.option("--plugin", "plugin_name", default="core", show_default=True, help="Lineage: core or a plugin's name.")
@click.option("-m", "--message", required=True, help="What the migration does.")
@click.option("--autogenerate", is_flag=True, help="Compare the plugin's models with the database.")
def db_revision(plugin_name, message, autogenerate):
    """Write a new migration script into a lineage."""
    try:
        path = revision(db.engine(), lineage_named(plugin_name), message, autogenerate)
    except MigrationError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(_("Wrote %(path)s", path=path))


@db_group.command("check")
def db_check():
    """Fail when any lineage's models differ from its migrations."""
    failed = False
    for lineage in state().lineages:
        changes = pending_changes(db.engine(), lineage)
        if changes:
            failed = True
            click.echo(
                _("%(lineage)s: models and migrations differ: %(changes)s", lineage=lineage.name, changes=changes),
                err=True,
            )
    if failed:
        raise SystemExit(1)
    click.echo(_("Models and migrations agree."))


@click.group("plugins")
def plugins_group():
    """List, enable and disable plugins."""


@plugins_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def plugins_list(as_json):
    """Show built-in and installed plugins with version, state and hooks."""
    rows = service.plugin_rows(current_app)
    if as_json:
        click.echo(json.dumps([row.as_dict() for row in rows], indent=2))
        return
    for row in rows:
        flags = (_("enabled") if row.enabled else _("disabled")) + (
            "" if row.active == row.enabled else ", " + _("restart to apply")
        )
        kinds = {"built-in": _("built-in"), "installed": _("installed"), "given": _("given at start")}
        kind = kinds.get(row.kind, row.kind)
        click.echo(f"{row.name} {row.version} [{kind}, {flags}]")
        click.echo("    " + _("hooks: %(hooks)s", hooks=", ".join(row.hooks) or "-"))
        if row.tables:
            click.echo(
                "    "
                + _(
                    "tables: %(tables)s; migration: %(migration)s",
                    tables=", ".join(row.tables),
                    migration=row.migration or "-",
                )
            )


@plugins_group.command("enable")
@click.argument("name")
def plugins_enable(name):
    """Run a plugin's migrations and enable it."""
    try:
        service.enable(current_app, name)
    except (service.PluginAdminError, MigrationError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(_("Enabled %(name)s; restart crmkit to load it.", name=name))


@plugins_group.command("disable")
@click.argument("name")
def plugins_disable(name):
    """Disable a plugin; its tables and data stay."""
    try:
        service.disable(current_app, name)
    except service.PluginAdminError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(_("Disabled %(name)s; its data is kept. Restart crmkit to unload it.", name=name))


@hookimpl
def register_commands():
    return [db_group, plugins_group]
