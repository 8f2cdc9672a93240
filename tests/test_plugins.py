"""Installed plugins: discovery through the ``crmkit`` entry-point group, enabling and disabling
from the CLI and the admin page, the CRMKIT_*_PLUGINS switches, and plugins that can't load.

Plugins are installed for real (a package and its .dist-info in a folder on sys.path), never mocked.
"""

import logging
import sys

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect, text

from crmkit import db, plugin_state
from crmkit.cli import cli as crmkit_cli
from crmkit.migrate import MigrationError
from crmkit.config import ConfigError
from crmkit.plugins import PluginError
from tests.conftest import ADMIN_PASSWORD, TEST_SECRET, add_user, csrf_token, login
from tests.plugins.install import install_hello, install_plugin, site  # noqa: F401 - site is a fixture

BOOM = "raise RuntimeError('this plugin needs crmkit 9')"
TYPO = """
    from crmkit import hookimpl

    @hookimpl
    def register_blueprint():  # misspelt: the hook is register_blueprints
        return []
"""
UNPREFIXED = """
    from sqlmodel import Field, SQLModel
    from crmkit import hookimpl

    class Thing(SQLModel, table=True):
        __tablename__ = "thing"
        id: int | None = Field(default=None, primary_key=True)

    @hookimpl
    def register_models():
        return [Thing]
"""


@pytest.fixture(autouse=True)
def english(monkeypatch):
    """Pages and commands in English, whatever the shell's language."""
    monkeypatch.setenv("CRMKIT_LOCALE", "en")
    monkeypatch.setenv("CRMKIT_DEFAULT_LOCALE", "en")


@pytest.fixture
def hello(site):  # noqa: F811
    """hello is installed (with its migrations) but not enabled."""
    return install_hello(site)


@pytest.fixture
def build(make_app):
    """Build an app that discovers installed plugins, on the test's database."""
    return lambda **config: make_app(LOAD_ENTRY_POINTS=True, **config)


def cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def tables(app) -> set[str]:
    return set(inspect(db.engine_of(app)).get_table_names())


def greetings(app) -> int:
    with db.engine_of(app).connect() as conn:
        return conn.execute(text("SELECT count(*) FROM hello_greeting")).scalar_one()


def installed_names(app) -> list[str]:
    return [p.name for p in app.extensions["crmkit"].installed]


def enabled_hello_app(build):
    """Enable hello through the CLI, then start crmkit again, as an operator would."""
    assert cli(build(), "plugins", "enable", "hello").exit_code == 0
    return build()


# Discovery, enabling and disabling from the command line


def test_installed_plugin_is_found_through_the_crmkit_entry_point_group(hello, build):
    app = build()
    plugin = app.extensions["crmkit"].plugin("hello")
    assert plugin is not None and plugin.version == "1.0"
    assert plugin.folder == hello


def test_installed_plugin_is_listed_but_inactive_until_enabled(hello, build):
    app = build()
    assert "hello 1.0 [installed, disabled]" in cli(app, "plugins", "list").output
    assert not app.extensions["crmkit"].is_active("hello")
    assert cli(app, "hello", "count").exit_code != 0  # its command isn't there
    assert "hello_greeting" not in tables(app)


def test_enabling_a_plugin_runs_its_migrations_and_marks_it_enabled(hello, build):
    app = build()
    result = cli(app, "plugins", "enable", "hello")
    assert result.exit_code == 0, result.output
    assert "restart crmkit" in result.output
    assert {"hello_greeting", "hello_alembic_version"} <= tables(app)
    assert "hello" in plugin_state.enabled_names(db.engine_of(app))


def test_enabled_plugin_is_active_after_a_rebuild_on_the_same_database(hello, build):
    app = enabled_hello_app(build)
    assert app.extensions["crmkit"].is_active("hello")
    assert cli(app, "hello", "greet", "Aigerim").output == "Hello, Aigerim!\n"
    assert "hello 1.0 [installed, enabled]" in cli(app, "plugins", "list").output


def test_disabling_a_plugin_keeps_its_tables_and_rows(hello, build):
    app = enabled_hello_app(build)
    cli(app, "hello", "greet", "Aigerim")
    result = cli(app, "plugins", "disable", "hello")
    assert result.exit_code == 0 and "data is kept" in result.output
    app = build()
    assert not app.extensions["crmkit"].is_active("hello")
    assert "hello_greeting" in tables(app)
    assert greetings(app) == 1


def test_re_enabling_a_plugin_finds_its_old_rows(hello, build):
    app = enabled_hello_app(build)
    cli(app, "hello", "greet", "Aigerim")
    cli(app, "plugins", "disable", "hello")
    assert cli(build(), "plugins", "enable", "hello").exit_code == 0
    assert cli(build(), "hello", "count").output == "1\n"


def test_enabling_a_plugin_that_is_not_installed_is_a_clear_error(build):
    result = cli(build(), "plugins", "enable", "nope")
    assert result.exit_code == 1
    assert "nope is not installed" in result.output


def test_a_built_in_plugin_cannot_be_disabled_from_the_cli(build):
    result = cli(build(), "plugins", "disable", "core.auth")
    assert result.exit_code == 1
    assert "core.auth is built in and always enabled" in result.output


# The admin page


def test_admin_plugins_page_shows_an_installed_plugin_with_an_enable_button(hello, build, admin_client_for):
    page = admin_client_for(build()).get("/admin/plugins").get_data(as_text=True)
    assert "<td><code>hello</code></td>" in page
    assert 'action="/admin/plugins/hello"' in page
    assert 'value="enable"' in page


def test_admin_enable_button_runs_the_migrations_and_enables_the_plugin(hello, build, admin_client_for):
    app = build()
    client = admin_client_for(app)
    token = csrf_token(client, "/admin/plugins")
    response = client.post("/admin/plugins/hello", data={"action": "enable", "csrf_token": token})
    assert response.status_code == 302
    assert "hello_greeting" in tables(app)
    page = client.get("/admin/plugins").get_data(as_text=True)
    assert "Plugin hello is enabled" in page
    assert 'value="disable"' in page and "restart crmkit to apply" in page
    assert build().extensions["crmkit"].is_active("hello")


def test_admin_disable_button_disables_the_plugin_and_keeps_its_data(hello, build, admin_client_for):
    app = enabled_hello_app(build)
    cli(app, "hello", "greet", "Aigerim")
    client = admin_client_for(app)
    token = csrf_token(client, "/admin/plugins")
    assert client.post("/admin/plugins/hello", data={"action": "disable", "csrf_token": token}).status_code == 302
    assert "its data is kept" in client.get("/admin/plugins").get_data(as_text=True)
    assert not build().extensions["crmkit"].is_active("hello")
    assert greetings(app) == 1


def test_admin_switch_without_a_csrf_token_is_refused(hello, build, admin_client_for):
    app = build()
    response = admin_client_for(app).post("/admin/plugins/hello", data={"action": "enable"})
    assert response.status_code == 400
    assert "hello" not in plugin_state.enabled_names(db.engine_of(app))


def test_non_admins_get_403_from_the_plugins_page_and_its_buttons(hello, build):
    app = build()
    add_user(app, email="user@example.com", name="User")
    client = app.test_client()
    login(client, email="user@example.com", password=ADMIN_PASSWORD)
    token = csrf_token(client, "/")
    assert client.get("/admin/plugins").status_code == 403
    assert client.get("/admin/plugins.json").status_code == 403
    assert client.post("/admin/plugins/hello", data={"action": "enable", "csrf_token": token}).status_code == 403
    assert "hello" not in plugin_state.enabled_names(db.engine_of(app))


def test_admin_cannot_disable_a_built_in_plugin(build, admin_client_for):
    client = admin_client_for(build())
    token = csrf_token(client, "/admin/plugins")
    response = client.post("/admin/plugins/core.auth", data={"action": "disable", "csrf_token": token})
    assert response.status_code == 302
    assert "core.auth is built in and always enabled" in client.get("/admin/plugins").get_data(as_text=True)


def test_plugins_json_lists_name_version_hooks_and_tables(hello, build, admin_client_for):
    plugins = admin_client_for(build()).get("/admin/plugins.json").get_json()["plugins"]
    row = next(p for p in plugins if p["name"] == "hello")
    assert row["version"] == "1.0"
    assert row["hooks"] == ["register_commands", "register_models"]
    assert row["tables"] == ["hello_greeting"]
    assert (row["kind"], row["enabled"], row["active"]) == ("installed", False, False)
    assert {"core.auth", "core.admin"} <= {p["name"] for p in plugins}


# CRMKIT_LOAD_PLUGINS, CRMKIT_DISABLE_PLUGINS, CRMKIT_TRACE_PLUGINS


@pytest.fixture
def hello_and_boom(hello, site):  # noqa: F811
    """hello, and boom, which raises as soon as it is imported."""
    install_plugin(site, "boom", BOOM)


def test_load_plugins_env_imports_only_the_named_entry_points(hello_and_boom, build, monkeypatch):
    monkeypatch.setenv("CRMKIT_LOAD_PLUGINS", "hello")
    assert installed_names(build()) == ["hello"]
    assert "crmkit_boom.hooks" not in sys.modules


def test_load_plugins_config_imports_only_the_named_entry_points(hello_and_boom, build):
    assert installed_names(build(LOAD_PLUGINS=["hello"])) == ["hello"]
    assert installed_names(build(LOAD_PLUGINS="hello")) == ["hello"]


def test_empty_load_plugins_loads_none(hello_and_boom, build, monkeypatch):
    monkeypatch.setenv("CRMKIT_LOAD_PLUGINS", "")
    assert installed_names(build()) == []


def test_load_plugins_naming_a_plugin_that_is_not_installed_is_a_clear_error(hello, build, monkeypatch):
    monkeypatch.setenv("CRMKIT_LOAD_PLUGINS", "hello,nope")
    with pytest.raises(PluginError, match="CRMKIT_LOAD_PLUGINS names plugins that are not installed: nope"):
        build()


def test_crmkit_command_reports_a_load_plugins_name_not_installed_in_one_line(monkeypatch, instance_path):
    monkeypatch.setenv("CRMKIT_SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("CRMKIT_LOAD_PLUGINS", "nope")
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "")  # FlaskGroup sets it; let monkeypatch restore it
    result = CliRunner().invoke(crmkit_cli, ["plugins", "list"])
    assert result.exit_code == 1
    assert result.output == "Error: CRMKIT_LOAD_PLUGINS names plugins that are not installed: nope\n"


def test_disable_plugins_env_blocks_an_enabled_plugin(hello, build, monkeypatch):
    enabled_hello_app(build)
    monkeypatch.setenv("CRMKIT_DISABLE_PLUGINS", "hello")
    app = build()
    assert not app.extensions["crmkit"].is_active("hello")
    assert "hello" not in installed_names(app)
    assert "hello" in plugin_state.enabled_names(db.engine_of(app))  # the stored choice stays


def test_disable_plugins_config_blocks_an_enabled_plugin(hello, build):
    enabled_hello_app(build)
    assert not build(DISABLE_PLUGINS=["hello"]).extensions["crmkit"].is_active("hello")


def test_disable_plugins_keeps_a_blocked_plugin_from_being_imported(hello_and_boom, build, monkeypatch):
    monkeypatch.setenv("CRMKIT_DISABLE_PLUGINS", "boom")
    names = installed_names(build())
    assert "hello" in names and "boom" not in names
    assert "crmkit_boom.hooks" not in sys.modules


def test_a_built_in_plugin_cannot_be_blocked(build, monkeypatch):
    monkeypatch.setenv("CRMKIT_DISABLE_PLUGINS", "core.auth")
    with pytest.raises(PluginError, match="built-in plugins cannot be disabled: core.auth"):
        build()


def test_trace_plugins_env_logs_hook_calls(build, monkeypatch, caplog):
    caplog.set_level(logging.INFO, logger="crmkit.plugins")
    monkeypatch.setenv("CRMKIT_TRACE_PLUGINS", "1")
    build().test_client().get("/login")
    traced = [r.getMessage() for r in caplog.records if r.name == "crmkit.plugins"]
    assert any("register_blueprints [hook]" in message for message in traced)
    assert any("template_context [hook]" in message for message in traced)


def test_trace_plugins_config_logs_hook_calls(build, caplog):
    caplog.set_level(logging.INFO, logger="crmkit.plugins")
    build(TRACE_PLUGINS=True)
    assert any("init_app [hook]" in r.getMessage() for r in caplog.records if r.name == "crmkit.plugins")


def test_hook_calls_are_not_logged_without_trace_plugins(build, caplog):
    caplog.set_level(logging.INFO, logger="crmkit.plugins")
    build().test_client().get("/login")
    assert not [r for r in caplog.records if r.name == "crmkit.plugins"]


# Plugins that cannot load stop crmkit, naming the plugin


def test_enabled_plugin_that_fails_to_import_stops_create_app_naming_it(site, build):  # noqa: F811
    install_plugin(site, "boom", BOOM)
    plugin_state.set_enabled(db.engine_of(build()), "boom", True)
    with pytest.raises(PluginError, match=r"plugin 'boom' \(crmkit_boom.hooks\) failed to import: this plugin needs"):
        build()


def test_plugin_with_a_misspelt_hook_stops_create_app_naming_it(site, build):  # noqa: F811
    install_plugin(site, "typo", TYPO)
    assert cli(build(), "plugins", "enable", "typo").exit_code == 0
    with pytest.raises(PluginError, match=r"plugin 'typo' implements a hook crmkit does not offer.*register_blueprint"):
        build()


def test_two_installed_plugins_sharing_a_name_stop_create_app(hello, site, build):  # noqa: F811
    install_plugin(site, "hello_again", "")
    (site / "crmkit_hello_again-1.0.dist-info" / "entry_points.txt").write_text(
        "[crmkit]\nhello = crmkit_hello_again.hooks\n", encoding="utf-8"
    )
    with pytest.raises(PluginError, match="'hello'"):
        build()


def test_a_given_plugin_sharing_a_name_with_an_installed_one_stops_create_app(hello, build):
    enabled_hello_app(build)
    import crmkit_hello.hooks

    with pytest.raises(PluginError, match="two plugins share the name hello"):
        build(plugins=[crmkit_hello.hooks])


def test_plugin_table_without_the_plugin_prefix_is_refused_at_start(site, make_app):  # noqa: F811
    install_plugin(site, "bad", UNPREFIXED)
    import crmkit_bad.hooks

    with pytest.raises(MigrationError, match="plugin 'bad': table names must start with 'bad_': thing"):
        make_app(plugins=[crmkit_bad.hooks], migrate=False)


def test_plugin_whose_table_lacks_the_prefix_is_still_listed(site, build, admin_client_for):  # noqa: F811
    install_plugin(site, "bad", UNPREFIXED)
    app = build()
    assert "bad 1.0 [installed, disabled]" in cli(app, "plugins", "list").output
    assert "<td><code>bad</code></td>" in admin_client_for(app).get("/admin/plugins").get_data(as_text=True)


def test_enabling_a_plugin_whose_table_lacks_the_prefix_is_refused(site, build):  # noqa: F811
    install_plugin(site, "bad", UNPREFIXED)
    app = build()
    result = cli(app, "plugins", "enable", "bad")
    assert result.exit_code == 1
    assert "table names must start with 'bad_': thing" in result.output
    assert "thing" not in tables(app)
    assert "bad" not in plugin_state.enabled_names(db.engine_of(app))


def test_a_disabled_plugin_that_fails_to_import_does_not_stop_crmkit(site, make_app, caplog):
    install_plugin(site, "broken", "raise ImportError('nope')\n")
    app = make_app(LOAD_ENTRY_POINTS=True)
    assert not app.extensions["crmkit"].is_active("broken")
    assert "broken" in caplog.text and "nope" in caplog.text


def test_an_unreachable_database_at_start_is_one_clear_error(make_app):
    with pytest.raises(ConfigError, match="cannot reach the database"):
        make_app(DATABASE_URL="postgresql://nobody:secret@127.0.0.1:1/none", migrate=False)
