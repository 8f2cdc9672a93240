"""`crmkit db ...` and `crmkit plugins ...`: migrations and the enabled set, from a shell."""

from __future__ import annotations

import json

import click
from flask import current_app

from crmkit import db, hookimpl
from crmkit.core.admin import service
from crmkit.migrate import MigrationError, pending_changes, revision, upgrade


def state():
    return current_app.extensions["crmkit"]


@click.group("db")
def db_group():
    """Create and upgrade the database, one migration lineage per plugin."""


@db_group.command("upgrade")
def db_upgrade():
    """Upgrade the core, then every enabled plugin, to its newest migration."""
    lineages = state().lineages
    with click.progressbar(lineages, label="Upgrading", item_show_func=lambda lin: lin.name if lin else "") as bar:
        for lineage in bar:
            try:
                upgrade(db.engine(), lineage)
            except MigrationError as exc:
                raise click.ClickException(str(exc)) from exc
    click.echo(f"Database is up to date ({len(lineages)} lineages).")


@db_group.command("current")
def db_current():
    """Show each lineage's revision in the database beside its newest one."""
    for lineage in state().lineages:
        current, head = lineage.current(db.engine()), lineage.head()
        mark = "up to date" if current == head else "needs upgrade"
        click.echo(f"{lineage.name}: {current or '-'} (head {head or '-'}, {mark})")


def lineage_named(name: str):
    found = next((lin for lin in state().lineages if lin.name == name), None)
    if found is None:
        names = ", ".join(lin.name for lin in state().lineages)
        raise click.ClickException(f"no active lineage {name!r}; lineages: {names}")
    return found


@db_group.command("revision")
@click.option("--plugin", "plugin_name", default="core", show_default=True, help="Lineage: core or a plugin's name.")
@click.option("-m", "--message", required=True, help="What the migration does.")
@click.option("--autogenerate", is_flag=True, help="Compare the plugin's models with the database.")
def db_revision(plugin_name, message, autogenerate):
    """Write a new migration script into a lineage."""
    path = revision(db.engine(), lineage_named(plugin_name), message, autogenerate)
    click.echo(f"Wrote {path}")


@db_group.command("check")
def db_check():
    """Fail when any lineage's models differ from its migrations."""
    failed = False
    for lineage in state().lineages:
        changes = pending_changes(db.engine(), lineage)
        if changes:
            failed = True
            click.echo(f"{lineage.name}: models and migrations differ: {changes}", err=True)
    if failed:
        raise SystemExit(1)
    click.echo("Models and migrations agree.")


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
        flags = ("enabled" if row.enabled else "disabled") + ("" if row.active == row.enabled else ", restart to apply")
        click.echo(f"{row.name} {row.version} [{row.kind}, {flags}]")
        click.echo(f"    hooks: {', '.join(row.hooks) or '-'}")
        if row.tables:
            click.echo(f"    tables: {', '.join(row.tables)}; migration: {row.migration or '-'}")


@plugins_group.command("enable")
@click.argument("name")
def plugins_enable(name):
    """Run a plugin's migrations and enable it."""
    try:
        service.enable(current_app, name)
    except (service.PluginAdminError, MigrationError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Enabled {name}; restart crmkit to load it.")


@plugins_group.command("disable")
@click.argument("name")
def plugins_disable(name):
    """Disable a plugin; its tables and data stay."""
    try:
        service.disable(current_app, name)
    except service.PluginAdminError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Disabled {name}; its data is kept. Restart crmkit to unload it.")


@hookimpl
def register_commands():
    return [db_group, plugins_group]
