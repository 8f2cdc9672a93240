"""The app factory: ``create_app()`` builds one app with its own plugin manager, never at import.

Production: ``gunicorn 'crmkit.app:create_app()'``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import click
import pluggy
from flask import Flask
from flask.cli import with_appcontext
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.exc import OperationalError

from crmkit import config, db, errors, i18n, json_input, plugin_state, security_headers, templating
from crmkit.config import ConfigError
from crmkit.db import safe_url
from crmkit.types import Permission
from crmkit.core.access import permissions
from crmkit.entities import registry as entity_registry
from crmkit.entities.registry import EntityRegistry
from crmkit.migrate import Lineage, lineages_for
from crmkit.plugins import (
    Plugin,
    PluginError,
    build_manager,
    builtin_plugins,
    installed_plugins,
    module_plugin,
    split_names,
    switch_on,
)


@dataclass
class Crmkit:
    """What one app knows of its plugins; kept in ``app.extensions["crmkit"]``."""

    pm: pluggy.PluginManager
    plugins: list[Plugin]  # active, in registration order
    installed: list[Plugin]  # every importable installed plugin, active or not
    lineages: list[Lineage] = field(default_factory=list)
    entities: EntityRegistry = field(default_factory=lambda: EntityRegistry([]))
    permissions: dict[str, Permission] = field(default_factory=dict)

    def plugin(self, name: str) -> Plugin | None:
        return next((p for p in self.plugins + self.installed if p.name == name), None)

    def is_active(self, name: str) -> bool:
        return any(p.name == name for p in self.plugins)


def create_app(test_config: dict[str, Any] | None = None, plugins: Sequence[ModuleType] = ()) -> Flask:
    """Build the app.

    :param test_config: settings that override every other source (tests, embedding).
    :param plugins: plugin modules to activate in addition to the built-ins and enabled ones.
    """
    app = Flask("crmkit", instance_path=config.instance_path(), instance_relative_config=True)
    config.load(app, test_config)
    db.init_app(app)

    state = _build_plugins(app, plugins)
    app.extensions["crmkit"] = state
    CSRFProtect(app)
    i18n.init_app(app)  # the core's catalog; each plugin's is its own domain (crmkit.plugin_i18n)
    templating.init_app(app, state.plugins, state.pm)
    errors.init_app(app)
    json_input.init_app(app)
    security_headers.init_app(app, state.pm)

    state.pm.hook.init_app(app=app)
    for blueprints in reversed(state.pm.hook.register_blueprints()):
        for blueprint in blueprints or []:
            app.register_blueprint(blueprint)
    for commands in reversed(state.pm.hook.register_commands()):
        for command in commands or []:
            app.cli.add_command(in_app_context(command))
    return app


def in_app_context(command: click.Command) -> click.Command:
    """Run a plugin's command and its subcommands inside the app context, however invoked."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            in_app_context(sub)
    callback = command.callback
    if callback is not None and not getattr(callback, "crmkit_in_app_context", False):
        command.callback = with_appcontext(callback)
        command.callback.crmkit_in_app_context = True
    return command


def _build_plugins(app: Flask, extra: Sequence[ModuleType]) -> Crmkit:
    cfg = app.config
    disable = split_names(cfg["DISABLE_PLUGINS"]) or []
    builtins = builtin_plugins()
    blocked_core = sorted(set(disable) & {p.name for p in builtins})
    if blocked_core:
        raise PluginError(f"built-in plugins cannot be disabled: {', '.join(blocked_core)}")
    try:
        enabled = plugin_state.enabled_names(db.engine_of(app))
    except OperationalError as error:
        raise ConfigError(f"cannot reach the database ({safe_url(cfg['DATABASE_URL'])}): {error.orig}") from error
    load = split_names(cfg["LOAD_PLUGINS"])
    installed = installed_plugins(load, disable, enabled) if cfg["LOAD_ENTRY_POINTS"] else []
    given = [module_plugin(module) for module in extra]
    active = builtins + [p for p in installed if p.name in enabled] + given
    pm = build_manager(active, trace=switch_on(cfg["TRACE_PLUGINS"]))
    entities = entity_registry.collect(pm)
    return Crmkit(
        pm=pm,
        plugins=active,
        installed=installed,
        lineages=lineages_for(active),
        entities=entities,
        permissions=permissions.collect(pm, entities),
    )
