"""Alembic with one lineage per plugin: the core's, then one for each plugin that owns tables.

Each lineage keeps its scripts in ``<plugin>/migrations/versions`` (the core's in
``crmkit/core/migrations/versions``) and its position in its own version table
(``<lineage>_alembic_version``), so plugins are installed, upgraded and removed independently.
All lineages share one env.py and script template in crmkit/migration_env.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine, MetaData
from sqlmodel import SQLModel

from crmkit.plugins import CORE_LINEAGE, Plugin, plugin_name, tables_of
from crmkit.search.models import ENGINE_MANAGED

ENV_FOLDER = Path(__file__).parent / "migration_env"
CORE_VERSIONS = Path(__file__).parent / "core" / "migrations" / "versions"


class MigrationError(RuntimeError):
    """A lineage cannot be migrated; the message says which and why."""


@dataclass
class Lineage:
    name: str
    versions_dir: Path
    tables: set[str] = field(default_factory=set)
    metadata: MetaData = field(default_factory=lambda: SQLModel.metadata)

    @property
    def version_table(self) -> str:
        return f"{self.name}_alembic_version"

    def include_name(self, name, type_, parent_names) -> bool:
        """Look only at this lineage's tables, so no lineage ever touches another's, and never at
        the engine-specific structures the core manages outside its models (ENGINE_MANAGED)."""
        if type_ == "column":
            return f"{parent_names.get('table_name')}.{name}" not in ENGINE_MANAGED
        if name in ENGINE_MANAGED:
            return False
        return type_ != "table" or name in self.tables

    def include_object(self, obj, name, type_, _reflected, _compare_to) -> bool:
        if type_ == "column":
            return f"{obj.table.name}.{name}" not in ENGINE_MANAGED
        if name in ENGINE_MANAGED:
            return False
        return type_ != "table" or name in self.tables

    def context_options(self) -> dict:
        return {
            "version_table": self.version_table,
            "include_name": self.include_name,
            "include_object": self.include_object,
            "compare_type": True,
        }

    def config(self, connection=None) -> Config:
        cfg = Config()
        cfg.set_main_option("script_location", str(ENV_FOLDER))
        cfg.set_main_option("path_separator", "os")
        cfg.set_main_option("version_locations", str(self.versions_dir))
        cfg.attributes["lineage"] = self
        cfg.attributes["connection"] = connection
        return cfg

    def head(self) -> str | None:
        """The newest revision; branches that are not merged yet show as ``a+b``."""
        if not self.versions_dir.is_dir():
            return None
        return "+".join(sorted(ScriptDirectory.from_config(self.config()).get_heads())) or None

    def current(self, engine: Engine) -> str | None:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"version_table": self.version_table})
            return "+".join(sorted(context.get_current_heads())) or None


def lineage_of(plugin: Plugin) -> Lineage | None:
    """A third-party plugin's lineage, if it owns tables or ships migrations."""
    tables = tables_of(plugin)
    bad = sorted(n for n in tables if not n.startswith(plugin.name + "_"))
    if bad:
        raise MigrationError(f"plugin {plugin.name!r}: table names must start with '{plugin.name}_': {', '.join(bad)}")
    versions = plugin.folder / "migrations" / "versions"
    if not tables and not versions.is_dir():
        return None
    return Lineage(plugin.name, versions, tables)


def required_names(plugin: Plugin) -> list[str]:
    """The plugins whose tables this plugin's tables refer to: its module's ``REQUIRES``, a tuple of
    plugin names or modules (``REQUIRES = ("projects",)``)."""
    return [name if isinstance(name, str) else plugin_name(name) for name in getattr(plugin.module, "REQUIRES", ())]


def in_required_order(plugins: Sequence[Plugin]) -> list[Plugin]:
    """``plugins`` in their order, except that each comes after the plugins it REQUIRES, so a
    foreign key to another plugin's table finds it created. A cycle stops start-up, naming it."""
    by_name = {p.name: p for p in plugins}
    placed: list[Plugin] = []
    visiting: list[str] = []

    def place(plugin: Plugin) -> None:
        if plugin in placed:
            return
        if plugin.name in visiting:
            raise MigrationError(f"plugins require each other: {' -> '.join([*visiting, plugin.name])}")
        visiting.append(plugin.name)
        for name in required_names(plugin):
            if name in by_name:  # one not loaded is a migration error of its own, named by Alembic or the database
                place(by_name[name])
        visiting.pop()
        placed.append(plugin)

    for plugin in plugins:
        place(plugin)
    return placed


def lineages_for(plugins: Sequence[Plugin]) -> list[Lineage]:
    """The core lineage (every built-in's tables) first, then one per plugin that has one, each
    after the lineages of the plugins it REQUIRES."""
    core = Lineage(CORE_LINEAGE, CORE_VERSIONS, set().union(*(tables_of(p) for p in plugins if p.builtin)))
    others = in_required_order([p for p in plugins if not p.builtin])
    return [core] + [lineage for p in others if (lineage := lineage_of(p))]


def upgrade(engine: Engine, lineage: Lineage, revision: str = "heads") -> None:
    if lineage.head() is None:
        raise MigrationError(
            f"{lineage.name!r} owns tables but has no migrations; "
            f"create them with: crmkit db revision --plugin {lineage.name} --autogenerate -m initial"
        )
    try:
        with engine.begin() as conn:
            command.upgrade(lineage.config(conn), revision)
    except CommandError as exc:  # e.g. the database holds a revision whose script is gone
        raise MigrationError(f"{lineage.name!r}: {exc}") from exc


def upgrade_all(engine: Engine, lineages: Sequence[Lineage], on_done: Callable[[Lineage], None] = lambda _l: None) -> None:
    for lineage in lineages:
        upgrade(engine, lineage)
        on_done(lineage)


def revision(engine: Engine, lineage: Lineage, message: str, autogenerate: bool) -> Path:
    """Write a new script into the lineage's folder and return its path."""
    lineage.versions_dir.mkdir(parents=True, exist_ok=True)
    try:
        with engine.begin() as conn:
            script = command.revision(lineage.config(conn), message=message, autogenerate=autogenerate)
    except CommandError as exc:  # e.g. autogenerate on a database that is not at the head yet
        raise MigrationError(f"cannot write a revision for {lineage.name!r}: {exc}") from exc
    return Path(script.path)


def pending_changes(engine: Engine, lineage: Lineage) -> list:
    """What autogenerate would write for this lineage: empty when models and migrations agree."""
    from alembic.autogenerate import compare_metadata

    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts=lineage.context_options())
        return compare_metadata(ctx, lineage.metadata)
