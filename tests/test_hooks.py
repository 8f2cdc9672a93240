"""Each hook that sets a plugin up (its hook specs, init_app, models, blueprints, commands) does
what its spec in crmkit/hookspecs.py promises, shown through a real app; the hooks that add to
pages are in test_page_hooks.py.

Every test builds the plugins it needs with ``plugin(name, *implementations)``, so the whole
plugin is in view; tests/test_docs.py checks that each hook has its ``test_hook_<name>`` under tests/.
"""

from __future__ import annotations

import click
import pluggy
import pytest
from flask import Blueprint
from sqlalchemy import inspect
from sqlmodel import func, select

from crmkit import NavItem, db, hookimpl, public
from crmkit.core.auth.models import User
from crmkit.migrate import MigrationError, upgrade_all
from crmkit.plugins import PluginError
from tests.conftest import add_user
from tests.hooking import client_of, nav_links, plugin, text_of
from tests.plugins.install import install_hello, site  # noqa: F401 - site is a fixture
from tests.plugins.notebook import hooks as notebook
from tests.plugins.notebook.models import Note

hookspec = pluggy.HookspecMarker("crmkit")


# register_hookspecs


class GreetingSpecs:
    @hookspec
    def greetings_text(self, name):
        """What to say to ``name``."""


@hookimpl
def register_hookspecs(plugin_manager):
    plugin_manager.add_hookspecs(GreetingSpecs)


@hookimpl
def init_app(app):  # the offering plugin calls its own hook
    app.extensions["greetings"] = app.extensions["crmkit"].pm.hook.greetings_text(name="Aigerim")


greetings = plugin("greetings", register_hookspecs, init_app)


@pytest.mark.parametrize("offerer_first", [True, False], ids=["offerer first", "implementer first"])
def test_hook_register_hookspecs(make_app, offerer_first):
    @hookimpl
    def greetings_text(name):
        return f"Сәлем, {name}!"

    polite = plugin("polite", greetings_text)
    app = make_app(plugins=[greetings, polite] if offerer_first else [polite, greetings], migrate=False)
    assert app.extensions["greetings"] == ["Сәлем, Aigerim!"]


def test_implementing_an_offered_hook_with_a_wrong_argument_stops_create_app_naming_the_plugin(make_app):
    @hookimpl
    def greetings_text(person):
        return person

    with pytest.raises(PluginError, match=r"(?s)plugin 'rude'.*person"):
        make_app(plugins=[greetings, plugin("rude", greetings_text)], migrate=False)


def test_implementing_a_hook_whose_offering_plugin_is_absent_stops_create_app(make_app):
    @hookimpl
    def greetings_text(name):
        return name

    with pytest.raises(PluginError, match=r"plugin 'polite' implements a hook crmkit does not offer"):
        make_app(plugins=[plugin("polite", greetings_text)], migrate=False)


def test_an_optionalhook_implementation_may_wait_for_a_plugin_that_is_absent(make_app):
    @hookimpl(optionalhook=True)
    def greetings_text(name):
        return name

    app = make_app(plugins=[plugin("polite", greetings_text)], migrate=False)
    assert app.extensions["crmkit"].is_active("polite")


# Mistakes in a plugin stop create_app, naming the plugin


def test_a_misspelt_hook_implementation_stops_create_app_naming_the_plugin(make_app):
    @hookimpl
    def nav_item(user):  # the hook is nav_items
        return []

    with pytest.raises(PluginError, match=r"plugin 'sloppy' implements a hook crmkit does not offer.*'nav_item'"):
        make_app(plugins=[plugin("sloppy", nav_item)], migrate=False)


def test_a_hook_implementation_with_a_wrong_argument_name_stops_create_app_naming_the_plugin(make_app):
    @hookimpl
    def nav_items(usr):  # the argument is user
        return []

    with pytest.raises(PluginError, match=r"(?s)plugin 'sloppy'.*nav_items.*usr"):
        make_app(plugins=[plugin("sloppy", nav_items)], migrate=False)


def test_a_hook_implementation_may_take_fewer_arguments_than_the_hook_offers(make_app):
    @hookimpl
    def nav_items():
        return [NavItem("Docs", url="https://docs.example.com/")]

    client = client_of(make_app(plugins=[plugin("docs", nav_items)]))
    assert "https://docs.example.com/" in nav_links(text_of(client, "/"))


# init_app


def test_hook_init_app(make_app):
    built = []

    @hookimpl
    def init_app(app):
        built.append(app)

    recorder = plugin("recorder", init_app)
    first, second = make_app(plugins=[recorder], migrate=False), make_app(plugins=[recorder], migrate=False)
    assert built == [first, second]


def test_init_app_config_defaults_yield_to_the_deployments_settings(make_app):
    @hookimpl
    def init_app(app):
        app.config.setdefault("GREETER_TEXT", "Hello")

    greeter = plugin("greeter", init_app)
    assert make_app(plugins=[greeter], migrate=False).config["GREETER_TEXT"] == "Hello"
    assert make_app(plugins=[greeter], migrate=False, GREETER_TEXT="Сәлем").config["GREETER_TEXT"] == "Сәлем"


# register_models


def test_hook_register_models(make_app):
    app = make_app(plugins=[notebook], migrate=False)
    assert "notebook_note" not in inspect(db.engine_of(app)).get_table_names()  # never created on load
    upgrade_all(db.engine_of(app), app.extensions["crmkit"].lineages)
    assert {"notebook_note", "notebook_alembic_version"} <= set(inspect(db.engine_of(app)).get_table_names())


def test_a_plugin_with_tables_but_no_migrations_is_told_how_to_write_them(make_app):
    @hookimpl
    def register_models():
        return [Note]

    app = make_app(plugins=[plugin("notebook", register_models)], migrate=False)  # INLINE has no migrations
    with pytest.raises(MigrationError, match=r"crmkit db revision --plugin notebook --autogenerate"):
        upgrade_all(db.engine_of(app), app.extensions["crmkit"].lineages)


def test_an_installed_plugin_writes_its_first_migration_before_it_is_enabled(site, make_app):  # noqa: F811
    folder = install_hello(site, migrations=False)
    app = make_app(LOAD_ENTRY_POINTS=True)
    runner = app.test_cli_runner()
    written = runner.invoke(args=["db", "revision", "--plugin", "hello", "--autogenerate", "-m", "first tables"])
    assert written.exit_code == 0, written.output
    assert len(list((folder / "migrations" / "versions").glob("*_first_tables.py"))) == 1
    assert runner.invoke(args=["plugins", "enable", "hello"]).exit_code == 0
    assert "hello_greeting" in inspect(db.engine_of(app)).get_table_names()


# register_blueprints


@pytest.fixture
def greeter_app(make_app):
    bp = Blueprint("greeter", __name__, url_prefix="/greeter")

    @bp.route("/")
    def index():
        return "Greeter home"

    @bp.route("/ping")
    @public
    def ping():
        return "pong"

    @hookimpl
    def register_blueprints():
        return [bp]

    return make_app(plugins=[plugin("greeter", register_blueprints)])


def test_hook_register_blueprints(greeter_app):
    assert text_of(client_of(greeter_app), "/greeter/") == "Greeter home"


def test_plugin_pages_send_a_visitor_who_is_not_logged_in_to_the_login_page(greeter_app):
    response = greeter_app.test_client().get("/greeter/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/greeter/"


def test_plugin_views_marked_public_need_no_login(greeter_app):
    assert text_of(greeter_app.test_client(), "/greeter/ping") == "pong"


# register_commands


def test_hook_register_commands(make_app):
    @click.group("greeter")
    def cli():
        """Plain click, no Flask decorators."""

    @cli.command("users")
    def users():
        click.echo(db.session().exec(select(func.count()).select_from(User)).one())

    @hookimpl
    def register_commands():
        return [cli]

    app = make_app(plugins=[plugin("greeter", register_commands)])
    add_user(app)
    result = app.test_cli_runner().invoke(args=["greeter", "users"])
    assert (result.exit_code, result.output) == (0, "1\n")
