"""Migrations: the core's lineage, then one per plugin, each with its own version table, driven
through `crmkit db ...`; models and migrations agree on every lineage, on SQLite and PostgreSQL.
"""

import importlib
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import event, inspect, text
from sqlmodel import SQLModel

from crmkit import db
from crmkit.cli import cli as crmkit_cli
from crmkit.migrate import MigrationError, pending_changes, upgrade
from crmkit.plugins import installed_entry_points
from tests.conftest import TEST_SECRET
from tests.plugins.install import install_hello, site  # noqa: F401 - site is a fixture
from tests.plugins.notebook import hooks as notebook

NOTEBOOK_HEAD = "49f41832e634"
HELLO_HEAD = "4b0384fd1f6f"
MOOD = '    mood: str | None = Field(default=None, max_length=20)\n'
TEST_PLUGINS = Path(__file__).parent / "plugins"


@pytest.fixture(autouse=True)
def english(monkeypatch):
    """Commands in English, whatever the shell's language."""
    monkeypatch.setenv("CRMKIT_LOCALE", "en")


def cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def tables(app) -> set[str]:
    return set(inspect(db.engine_of(app)).get_table_names())


def lineage(app, name):
    return next(lin for lin in app.extensions["crmkit"].lineages if lin.name == name)


def tables_in_script(path: Path) -> set[str]:
    """Every table an Alembic script names, whether it creates, alters or drops it."""
    ops = "create_table|drop_table|add_column|drop_column|alter_column|batch_alter_table"
    source = path.read_text(encoding="utf-8")
    named = set(re.findall(rf"(?<!batch_)op\.(?:{ops})\('(\w+)'", source))
    known = set(SQLModel.metadata.tables) | {"core_alembic_version", "notebook_alembic_version"}
    return named | {table for table in known if f"'{table}'" in source}


def scripts(folder: Path) -> list[Path]:
    return sorted((folder / "migrations" / "versions").glob("*.py"))


def given(module_name: str):
    return importlib.import_module(module_name)


# No tables on load; the core's lineage first; a version table per lineage


def test_create_app_alone_creates_no_tables(make_app, site):  # noqa: F811
    install_hello(site)
    app = make_app(plugins=[notebook], migrate=False, LOAD_ENTRY_POINTS=True)
    app.test_client().get("/login")
    assert tables(app) == set()


def test_lineages_are_the_core_first_then_one_per_plugin_with_tables(make_app, site):  # noqa: F811
    install_hello(site)
    app = make_app(plugins=[given("crmkit_hello.hooks"), notebook], migrate=False)
    assert [lin.name for lin in app.extensions["crmkit"].lineages] == ["core", "hello", "notebook"]


def test_db_upgrade_creates_the_core_tables_before_any_plugin_table(make_app):
    app = make_app(plugins=[notebook], migrate=False)
    created = []

    @event.listens_for(db.engine_of(app), "before_cursor_execute")
    def record(_conn, _cursor, statement, *_args):
        created.extend(re.findall(r"CREATE TABLE (\w+)", statement))

    assert cli(app, "db", "upgrade").exit_code == 0
    assert created.index("core_user") < created.index("notebook_note")


def test_each_lineage_keeps_its_revision_in_its_own_version_table(make_app):
    app = make_app(plugins=[notebook])
    assert {"core_alembic_version", "notebook_alembic_version"} <= tables(app)
    assert "alembic_version" not in tables(app)
    with db.engine_of(app).connect() as conn:
        for lin in app.extensions["crmkit"].lineages:
            assert conn.execute(text(f"SELECT version_num FROM {lin.version_table}")).scalars().all() == [lin.head()]


def test_db_upgrade_migrates_every_lineage_and_shows_its_progress(make_app):
    app = make_app(plugins=[notebook], migrate=False)
    result = cli(app, "db", "upgrade")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Upgrading")
    assert "Database is up to date (2 lineages)." in result.output
    assert {"core_user", "notebook_note"} <= tables(app)


def test_db_upgrade_twice_changes_nothing(make_app):
    app = make_app(plugins=[notebook])
    assert cli(app, "db", "upgrade").exit_code == 0
    assert lineage(app, "notebook").current(db.engine_of(app)) == NOTEBOOK_HEAD


def test_crmkit_db_upgrade_builds_the_app_from_the_environment(database_url, instance_path, monkeypatch):
    monkeypatch.setenv("CRMKIT_DATABASE_URL", database_url)
    monkeypatch.setenv("CRMKIT_SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "")  # FlaskGroup sets it; let monkeypatch restore it
    result = CliRunner().invoke(crmkit_cli, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "Database is up to date (1 lineage)." in result.output
    result = CliRunner().invoke(crmkit_cli, ["db", "current"])
    assert re.fullmatch(r"core: (\w+) \(head \1, up to date\)\n", result.output)


def test_db_current_says_each_lineage_needs_upgrade_on_a_new_database(make_app):
    app = make_app(plugins=[notebook], migrate=False)
    head = lineage(app, "core").head()
    assert cli(app, "db", "current").output.splitlines() == [
        f"core: - (head {head}, needs upgrade)",
        f"notebook: - (head {NOTEBOOK_HEAD}, needs upgrade)",
    ]


def test_db_current_says_each_lineage_is_up_to_date_after_upgrading(make_app):
    app = make_app(plugins=[notebook])
    head = lineage(app, "core").head()
    assert cli(app, "db", "current").output.splitlines() == [
        f"core: {head} (head {head}, up to date)",
        f"notebook: {NOTEBOOK_HEAD} (head {NOTEBOOK_HEAD}, up to date)",
    ]


def test_plugin_with_tables_but_no_migrations_cannot_be_upgraded(make_app, site):  # noqa: F811
    install_hello(site, migrations=False)
    app = make_app(plugins=[given("crmkit_hello.hooks")], migrate=False)
    with pytest.raises(MigrationError, match="crmkit db revision --plugin hello --autogenerate -m initial"):
        upgrade(db.engine_of(app), lineage(app, "hello"))
    result = cli(app, "db", "upgrade")
    assert result.exit_code == 1 and "'hello' owns tables but has no migrations" in result.output


# Writing a plugin's migrations: `crmkit db revision --plugin NAME --autogenerate`


@pytest.fixture
def new_hello(site, make_app):  # noqa: F811
    """hello without migrations, given to an app whose core and notebook tables are in place."""
    folder = install_hello(site, migrations=False)
    app = make_app(plugins=[notebook, given("crmkit_hello.hooks")], migrate=False)
    for name in ("core", "notebook"):
        upgrade(db.engine_of(app), lineage(app, name))
    return folder, app


def test_db_revision_autogenerate_writes_into_the_plugin_migrations_folder(new_hello):
    folder, app = new_hello
    result = cli(app, "db", "revision", "--plugin", "hello", "--autogenerate", "-m", "hello tables")
    assert result.exit_code == 0, result.output
    [script] = scripts(folder)
    assert script.name.endswith("_hello_tables.py")
    assert f"Wrote {script}" in result.output


def test_db_revision_autogenerate_holds_only_that_plugin_tables(new_hello):
    folder, app = new_hello
    cli(app, "db", "revision", "--plugin", "hello", "--autogenerate", "-m", "hello tables")
    [script] = scripts(folder)
    assert tables_in_script(script) == {"hello_greeting"}
    assert "import sqlmodel" in script.read_text(encoding="utf-8")


def test_autogenerated_plugin_script_applies(new_hello):
    folder, app = new_hello
    cli(app, "db", "revision", "--plugin", "hello", "--autogenerate", "-m", "hello tables")
    assert cli(app, "db", "upgrade").exit_code == 0
    assert {"hello_greeting", "hello_alembic_version"} <= tables(app)
    assert cli(app, "db", "check").exit_code == 0


def test_db_revision_autogenerate_on_a_database_behind_its_head_is_a_clear_error(make_app, site):  # noqa: F811
    install_hello(site)
    app = make_app(plugins=[given("crmkit_hello.hooks")], migrate=False)
    result = cli(app, "db", "revision", "--plugin", "hello", "--autogenerate", "-m", "x")
    assert result.exit_code == 1
    assert result.output == "Error: cannot write a revision for 'hello': Target database is not up to date.\n"


def test_db_upgrade_from_a_revision_whose_script_is_gone_is_a_clear_error(make_app):
    app = make_app(plugins=[notebook])
    with db.engine_of(app).begin() as conn:
        conn.execute(text("UPDATE notebook_alembic_version SET version_num = 'deadbeef0000'"))
    result = cli(app, "db", "upgrade")
    assert result.exit_code == 1
    assert "Error: 'notebook': Can't locate revision identified by 'deadbeef0000'" in result.output


def test_db_revision_for_an_unknown_lineage_is_a_clear_error(make_app):
    result = cli(make_app(), "db", "revision", "--plugin", "nope", "-m", "x")
    assert result.exit_code == 1
    assert "no lineage 'nope'" in result.output and "core" in result.output


def test_enabling_a_plugin_without_migrations_names_the_command_that_writes_them(make_app, site):  # noqa: F811
    install_hello(site, migrations=False)
    result = cli(make_app(LOAD_ENTRY_POINTS=True), "plugins", "enable", "hello")
    assert result.exit_code == 1
    assert "crmkit db revision --plugin hello --autogenerate -m initial" in result.output


def test_db_revision_writes_the_first_script_of_a_plugin_not_yet_enabled(make_app, site):  # noqa: F811
    folder = install_hello(site, migrations=False)
    app = make_app(LOAD_ENTRY_POINTS=True)
    result = cli(app, "db", "revision", "--plugin", "hello", "--autogenerate", "-m", "initial")
    assert result.exit_code == 0, result.output
    assert tables_in_script(scripts(folder)[0]) == {"hello_greeting"}
    assert cli(app, "plugins", "enable", "hello").exit_code == 0
    assert "hello_greeting" in tables(app)


# A model that gains a column: `crmkit db check` notices until a migration is written and applied


@pytest.fixture
def hello_with_mood(site, make_app):  # noqa: F811
    """hello migrated to its head, whose Greeting model then gained a ``mood`` column."""
    folder = install_hello(site)
    with (folder / "models.py").open("a", encoding="utf-8") as models:
        models.write(MOOD)
    return folder, make_app(plugins=[given("crmkit_hello.hooks")])


def test_db_check_passes_when_models_and_migrations_agree(make_app):
    result = cli(make_app(plugins=[notebook]), "db", "check")
    assert result.exit_code == 0
    assert result.output == "Models and migrations agree.\n"


def test_db_check_fails_when_a_model_gains_a_column_without_a_migration(hello_with_mood):
    _folder, app = hello_with_mood
    result = cli(app, "db", "check")
    assert result.exit_code == 1
    assert "hello: models and migrations differ" in result.output
    assert "mood" in result.output
    assert "core:" not in result.output


def test_db_revision_autogenerate_writes_only_the_new_column(hello_with_mood):
    folder, app = hello_with_mood
    cli(app, "db", "revision", "--plugin", "hello", "--autogenerate", "-m", "greeting mood")
    new = [s for s in scripts(folder) if HELLO_HEAD not in s.name]
    assert len(new) == 1
    source = new[0].read_text(encoding="utf-8")
    assert tables_in_script(new[0]) == {"hello_greeting"}
    assert re.search(r"add_column\((?:'hello_greeting', )?sa\.Column\('mood'", source)
    assert f"down_revision: Union[str, Sequence[str], None] = '{HELLO_HEAD}'" in source


def test_db_current_says_a_plugin_needs_upgrade_until_its_new_revision_is_applied(hello_with_mood):
    _folder, app = hello_with_mood
    cli(app, "db", "revision", "--plugin", "hello", "--autogenerate", "-m", "greeting mood")
    assert f"hello: {HELLO_HEAD} (head " in cli(app, "db", "current").output
    assert "needs upgrade" in cli(app, "db", "current").output
    cli(app, "db", "upgrade")
    assert "needs upgrade" not in cli(app, "db", "current").output


def test_new_column_migration_applies_and_db_check_then_passes(hello_with_mood):
    _folder, app = hello_with_mood
    cli(app, "db", "revision", "--plugin", "hello", "--autogenerate", "-m", "greeting mood")
    assert cli(app, "db", "upgrade").exit_code == 0
    assert "mood" in {c["name"] for c in inspect(db.engine_of(app)).get_columns("hello_greeting")}
    assert cli(app, "db", "check").exit_code == 0


# Models and migrations agree, for the core and every plugin lineage, on SQLite and PostgreSQL


def plugin_packages():
    """Plugins under tests/plugins that own a migration lineage (hello is installed, below)."""
    return sorted(
        p.name for p in TEST_PLUGINS.iterdir() if (p / "hooks.py").exists() and (p / "migrations").is_dir()
        if p.name != "crmkit_hello"
    )


LINEAGES = (
    ["core", "installed:hello"]
    + [f"tests.plugins.{name}" for name in plugin_packages()]
    + [f"installed:{name}" for name in sorted(installed_entry_points())]
)


@pytest.mark.parametrize("source", LINEAGES)
def test_models_and_migrations_agree(source, make_app, site):  # noqa: F811
    if source == "core":
        app, name = make_app(), "core"
    elif source.startswith("installed:"):
        name = source.removeprefix("installed:")
        if name == "hello":
            install_hello(site)
        assert cli(make_app(LOAD_ENTRY_POINTS=True, LOAD_PLUGINS=[name]), "plugins", "enable", name).exit_code == 0
        app = make_app(LOAD_ENTRY_POINTS=True, LOAD_PLUGINS=[name])
    else:
        module = given(f"{source}.hooks")  # REQUIRES: plugins whose tables this one's refer to
        app = make_app(plugins=[*getattr(module, "REQUIRES", ()), module])
        name = app.extensions["crmkit"].plugins[-1].name
    if name not in {lin.name for lin in app.extensions["crmkit"].lineages}:
        pytest.skip(f"{name} owns no tables")
    assert pending_changes(db.engine_of(app), lineage(app, name)) == []
