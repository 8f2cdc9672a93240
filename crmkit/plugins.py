"""Finding plugins, choosing which are active and building the app's plugin manager.

Built-in plugins (crmkit.core.*) are always active. Installed plugins are found through the
``crmkit`` entry-point group and are active when the deployment has enabled them (stored in the
database, see crmkit.plugin_state). Environment switches, read through the app config:

- CRMKIT_LOAD_PLUGINS: comma-separated entry points to load; the others are not imported at all
  (empty: load none). Like DATASETTE_LOAD_PLUGINS.
- CRMKIT_DISABLE_PLUGINS: comma-separated plugins to block even when enabled. Like pytest's
  ``-p no:NAME``.
- CRMKIT_TRACE_PLUGINS: log every hook call with its arguments and results.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FunctionType, ModuleType

import pluggy

import crmkit
from crmkit import frame_hookspecs, hookspecs

ENTRY_POINT_GROUP = "crmkit"
BUILTIN_PLUGINS = (
    "crmkit.core.access.hooks",
    "crmkit.core.auth.hooks",
    "crmkit.core.home.hooks",
    "crmkit.core.admin.hooks",
    "crmkit.core.commands.hooks",
    "crmkit.core.records.hooks",
    "crmkit.core.jobs.hooks",
    "crmkit.core.webhooks.hooks",
    "crmkit.core.transfer.hooks",
    "crmkit.core.audit.hooks",
    "crmkit.core.org.hooks",
    "crmkit.core.account.hooks",
    "crmkit.core.search.hooks",
    "crmkit.core.api.hooks",
    "crmkit.core.contacts.hooks",
    "crmkit.core.activities.hooks",
    "crmkit.core.pipelines.hooks",
    "crmkit.core.leads.hooks",
    "crmkit.core.lead_triage.hooks",
    "crmkit.core.intake_form.hooks",
    "crmkit.core.intake_webhook.hooks",
    "crmkit.core.intake_mail.hooks",
    "crmkit.core.worktime.hooks",
    "crmkit.core.lead_routing.hooks",
    "crmkit.core.targets.hooks",
    "crmkit.core.timeline.hooks",
    "crmkit.core.files.hooks",
    "crmkit.core.documents.hooks",
    "crmkit.core.inventory.hooks",
    "crmkit.core.myday.hooks",
    "crmkit.core.duplicates.hooks",
    "crmkit.core.lookup.hooks",
    "crmkit.core.demo.hooks",
    "crmkit.core.maintenance.hooks",
    "crmkit.core.automation.hooks",
    "crmkit.core.notifications.hooks",
    "crmkit.core.mail_templates.hooks",
    "crmkit.reports.hooks",
)
CORE_LINEAGE = "core"
log = logging.getLogger("crmkit.plugins")


class PluginError(RuntimeError):
    """A plugin cannot be loaded; the message names the plugin and what is wrong."""


@dataclass(frozen=True)
class Plugin:
    """One plugin as the app knows it: where it lives, what it is called, where it came from."""

    name: str
    module: ModuleType
    version: str
    builtin: bool = False

    @property
    def folder(self) -> Path:
        return Path(self.module.__file__).parent

    @property
    def lineage(self) -> str:
        """The migration lineage: all built-ins share the core one."""
        return CORE_LINEAGE if self.builtin else self.name

    def subfolder(self, name: str) -> Path | None:
        path = self.folder / name
        return path if path.is_dir() else None


def plugin_name(module: ModuleType) -> str:
    """``tests.plugins.notebook.hooks`` is called ``notebook``; a built-in ``core.<name>``."""
    parts = module.__name__.split(".")
    if parts[-1] == "hooks" and len(parts) > 1:
        parts = parts[:-1]
    if parts[:2] == ["crmkit", "core"] or (parts[0] == "crmkit" and len(parts) == 2):
        return "core." + parts[-1]  # crmkit.core.<name> and crmkit.<name> (crmkit.reports): built-ins
    name = parts[-1]
    return name.removeprefix("crmkit_")


def split_names(value: str | Sequence[str] | None) -> list[str] | None:
    """Read a comma-separated switch; None means "not set", which differs from empty."""
    if value is None:
        return None
    if isinstance(value, (list, tuple, set)):
        return [str(part) for part in value]
    # CRMKIT_* variables are read as JSON when they parse, so 1 or true may arrive as numbers.
    return [part.strip() for part in str(value).split(",") if part.strip()]


def switch_on(value: object) -> bool:
    """A yes/no switch from the environment: 1, true, yes and on mean yes."""
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def installed_entry_points() -> dict[str, importlib.metadata.EntryPoint]:
    """The ``crmkit`` entry points by name; two distributions offering one name is an error."""
    found: dict[str, importlib.metadata.EntryPoint] = {}
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        other = found.setdefault(ep.name, ep)
        if other is not ep:
            dists = " and ".join(f"{e.value} ({e.dist.name if e.dist else '?'})" for e in (other, ep))
            raise PluginError(f"two plugins share the name {ep.name!r}: {dists}")
    return found


def load_entry_point(ep: importlib.metadata.EntryPoint) -> Plugin:
    try:
        module = ep.load()
    except Exception as exc:  # noqa: BLE001 - any import failure is reported the same way
        raise PluginError(f"plugin {ep.name!r} ({ep.value}) failed to import: {exc}") from exc
    version = ep.dist.version if ep.dist else getattr(module, "__version__", "unknown")
    return Plugin(name=ep.name, module=module, version=version)


def builtin_plugins() -> list[Plugin]:
    modules = [importlib.import_module(path) for path in BUILTIN_PLUGINS]
    return [Plugin(plugin_name(m), m, crmkit.__version__, builtin=True) for m in modules]


def module_plugin(module: ModuleType) -> Plugin:
    """A plugin handed to ``create_app(plugins=[...])`` directly, as tests and embedders do."""
    return Plugin(plugin_name(module), module, getattr(module, "__version__", "unknown"))


def installed_plugins(
    load: Sequence[str] | None, disable: Iterable[str], enabled: Iterable[str] = ()
) -> list[Plugin]:
    """Every installed plugin that the switches allow to be imported.

    A disabled plugin that fails to import is logged and left out, so it can't stop crmkit;
    an enabled one that fails stops start-up, naming it.
    """
    blocked = set(disable)
    found = installed_entry_points()
    if load is not None:
        missing = sorted(set(load) - set(found))
        if missing:
            raise PluginError(f"CRMKIT_LOAD_PLUGINS names plugins that are not installed: {', '.join(missing)}")
    names = [name for name in sorted(found) if (load is None or name in load) and name not in blocked]
    wanted = set(enabled)
    plugins = []
    for name in names:
        try:
            plugins.append(load_entry_point(found[name]))
        except PluginError as error:
            if name in wanted:
                raise
            log.warning("%s; it is disabled, so crmkit starts without it", error)
    return plugins


def build_manager(plugins: Sequence[Plugin], trace: bool = False) -> pluggy.PluginManager:
    """Register the plugins in order and fail, naming the plugin, on any hook we don't offer."""
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    pm.add_hookspecs(frame_hookspecs)
    names = [p.name for p in plugins]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise PluginError(f"two plugins share the name {', '.join(duplicates)}")
    for plugin in plugins:
        try:
            pm.register(plugin.module, name=plugin.name)
        except pluggy.PluginValidationError as exc:
            raise PluginError(f"plugin {plugin.name!r}: {exc}") from exc
    try:  # a hook offered by one plugin checks the other plugins' implementations of it
        pm.hook.register_hookspecs.call_historic(kwargs={"plugin_manager": pm})
    except pluggy.PluginValidationError as exc:
        name = pm.get_name(exc.plugin) if exc.plugin is not None else "?"
        raise PluginError(f"plugin {name!r}: {exc}") from exc
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        name = pm.get_name(exc.plugin) if exc.plugin is not None else "?"
        raise PluginError(f"plugin {name!r} implements a hook crmkit does not offer: {exc}") from exc
    if trace:
        show_trace()
        pm.trace.root.setwriter(log.info)
        pm.enable_tracing()
    return pm


def show_trace() -> None:
    """Asking for a trace means wanting to read it: log at INFO, to stderr if nothing else listens."""
    if not log.isEnabledFor(logging.INFO):
        log.setLevel(logging.INFO)
    if not log.hasHandlers():
        log.addHandler(logging.StreamHandler())


def own_impls(plugin: Plugin) -> dict[str, object]:
    """The hook implementations in a plugin's module by hook name, active or not."""
    marker = f"{hookspecs.PROJECT}_impl"
    impls = {}
    for attr, value in vars(plugin.module).items():
        if type(value) is not FunctionType:  # type(), not isinstance: never touch proxies
            continue
        opts = getattr(value, marker, None)
        if opts is not None:
            impls[opts.get("specname") or attr] = value
    return impls


def hooks_of(plugin: Plugin) -> list[str]:
    return sorted(own_impls(plugin))


def tables_of(plugin: Plugin) -> set[str]:
    """Names of the tables the plugin declares through register_models."""
    register = own_impls(plugin).get("register_models")
    return {model.__tablename__ for model in (register() if register else None) or []}
