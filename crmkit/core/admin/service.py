"""Listing, enabling and disabling plugins; shared by `crmkit plugins` and the admin page.

Enabling runs the plugin's migrations before it is marked enabled; disabling only hides the
plugin (its tables and rows stay). Either takes effect when crmkit next starts, because a
running app never changes its set of plugins.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask

from crmkit import audit, db, plugin_state
from crmkit.i18n import gettext as _
from crmkit.migrate import MigrationError, lineage_of, upgrade
from crmkit.plugins import Plugin, hooks_of, tables_of


class PluginAdminError(ValueError):
    """The plugin can't be enabled or disabled; the message says why."""


@dataclass(frozen=True)
class PluginRow:
    name: str
    version: str
    kind: str  # "built-in", "installed" or "given" (passed to create_app)
    enabled: bool  # stored choice of the deployment; built-ins are always enabled
    active: bool  # loaded by this app
    hooks: list[str]
    tables: list[str]
    migration: str | None  # current revision of the plugin's lineage, when it has one

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def plugin_rows(app: Flask) -> list[PluginRow]:
    state = app.extensions["crmkit"]
    engine = db.engine_of(app)
    enabled = plugin_state.enabled_names(engine)
    installed_names = {p.name for p in state.installed}
    rows = []
    for plugin in state.plugins + [p for p in state.installed if not state.is_active(p.name)]:
        kind = "built-in" if plugin.builtin else "installed" if plugin.name in installed_names else "given"
        try:
            lineage = state.lineages[0] if plugin.builtin else lineage_of(plugin)
        except MigrationError:  # e.g. a table without the plugin's prefix: listed, refused on enable
            lineage = None
        rows.append(
            PluginRow(
                name=plugin.name,
                version=plugin.version,
                kind=kind,
                enabled=kind != "installed" or plugin.name in enabled,
                active=state.is_active(plugin.name),
                hooks=hooks_of(plugin),
                tables=sorted(tables_of(plugin)),
                migration=lineage.current(engine) if lineage and tables_of(plugin) else None,
            )
        )
    return rows


def _installed(app: Flask, name: str) -> Plugin:
    plugin = next((p for p in app.extensions["crmkit"].installed if p.name == name), None)
    if plugin is None:
        builtin = app.extensions["crmkit"].plugin(name)
        if builtin is not None and builtin.builtin:
            raise PluginAdminError(_("%(name)s is built in and always enabled", name=name))
        raise PluginAdminError(_("%(name)s is not installed (see `crmkit plugins list`)", name=name))
    return plugin


def enable(app: Flask, name: str) -> None:
    """Run the plugin's migrations, then mark it enabled."""
    plugin = _installed(app, name)
    lineage = lineage_of(plugin)
    if lineage is not None:
        upgrade(db.engine_of(app), lineage)
    plugin_state.set_enabled(db.engine_of(app), name, True)
    audit.record("plugin_enabled", plugin=name)


def disable(app: Flask, name: str) -> None:
    _installed(app, name)
    plugin_state.set_enabled(db.engine_of(app), name, False)
    audit.record("plugin_disabled", plugin=name)
