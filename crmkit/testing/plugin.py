"""crmkit's pytest plugin, loaded by pytest from the ``pytest11`` entry point wherever crmkit is
installed (``-p no:crmkit.testing.plugin`` turns it off). docs/testing.md describes every fixture.

crmkit itself is imported only when a fixture runs, so the plugin costs nothing to a test that
uses none, and a coverage run that starts after plugins load still sees crmkit's modules load.
"""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest


def resolve_plugins(plugins) -> list:
    """Plugin modules from modules, ``crmkit.plugins.Plugin`` objects, installed entry-point
    names (``complaints``) or module paths (``crmkit_complaints.hooks``)."""
    from crmkit.plugins import Plugin, installed_entry_points, load_entry_point

    found = []
    for plugin in plugins:
        if isinstance(plugin, Plugin):
            plugin = plugin.module
        elif isinstance(plugin, str):
            entry_points = installed_entry_points()
            if plugin in entry_points:
                plugin = load_entry_point(entry_points[plugin]).module
            else:
                plugin = importlib.import_module(plugin)
        found.append(plugin)
    return found


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "crmkit_fresh_database: on PostgreSQL, a schema no earlier test used (for tests that assert "
                   "a query plan; crmkit.testing.schema_pool)")


# Settings and the database


@pytest.fixture
def crmkit_plugins() -> list[ModuleType | str]:
    """The plugins every app of the test runs besides the core; a plugin's conftest overrides it."""
    return []


@pytest.fixture
def shell_language(monkeypatch):
    """Commands answer in the shell's language; the app's tests start from a shell naming none."""
    for name in ("CRMKIT_LOCALE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def instance_path(tmp_path, monkeypatch):
    """An instance folder of the test's own, so no ``instance/config.py`` of a checkout leaks in."""
    path = tmp_path / "instance"
    monkeypatch.setenv("CRMKIT_INSTANCE_PATH", str(path))
    return path


@pytest.fixture
def database_url(tmp_path):
    """An empty database of the test's own: SQLite, or a PostgreSQL schema (CRMKIT_TEST_DATABASE_URL)."""
    from crmkit.testing.databases import own_database

    with own_database(tmp_path) as url:
        yield url


@pytest.fixture(scope="session")
def migrated_databases(tmp_path_factory):
    """Migrations run once per set of plugins in each worker, then are copied (crmkit.testing.migrated)."""
    from crmkit.testing.migrated import MigratedDatabases

    return MigratedDatabases(tmp_path_factory.mktemp("migrated"))


@pytest.fixture(autouse=True, scope="session")
def schemas_dropped():
    """Every PostgreSQL test schema is gone before the session ends."""
    yield
    from crmkit.testing.databases import SCHEMA_DROPS

    SCHEMA_DROPS.close()


@pytest.fixture(autouse=True, scope="session")
def quick_password_hashing():
    """Real argon2, with the cheapest parameters: suites hash hundreds of passwords."""
    from argon2 import PasswordHasher

    from crmkit.core.auth import models

    production, models.hasher = models.hasher, PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    models.hasher = production


@pytest.fixture(autouse=True, scope="session")
def url_builders_compiled_once():
    """Each URL rule's builder is compiled once per process, not once per app (crmkit.testing.compiled)."""
    from crmkit.testing.compiled import forget_url_builders, remember_url_builders

    remember_url_builders()
    yield
    forget_url_builders()


# Apps


@pytest.fixture
def make_app(database_url, instance_path, migrated_databases, crmkit_plugins, shell_language, request):
    """``make_app(plugins=None, migrate=True, **config)``: an app on the test's migrated database.

    ``plugins`` None means ``crmkit_plugins``; settings override the test defaults (TESTING, a
    fixed SECRET_KEY, the test's DATABASE_URL, no installed plugins unless LOAD_ENTRY_POINTS).
    """
    from crmkit import db
    from crmkit.app import create_app
    from crmkit.testing.accounts import TEST_SECRET
    from crmkit.testing.compiled import TEMPLATES

    apps = []
    fresh = request.node.get_closest_marker("crmkit_fresh_database") is not None

    def factory(plugins=None, migrate=True, **config):
        settings = {
            "TESTING": True,
            "SECRET_KEY": TEST_SECRET,
            "DATABASE_URL": database_url,
            "LOAD_ENTRY_POINTS": False,
            **config,
        }
        chosen = crmkit_plugins if plugins is None else plugins
        app = create_app(settings, plugins=resolve_plugins(chosen))
        app.jinja_env.bytecode_cache = TEMPLATES  # compiled once per process (crmkit.testing.compiled)
        apps.append(app)
        if migrate:
            migrated_databases.upgrade(db.engine_of(app), app.extensions["crmkit"].lineages, recycled=not fresh)
        return app

    yield factory
    for app in apps:
        db.engine_of(app).dispose()


@pytest.fixture
def app(make_app):
    """The core and ``crmkit_plugins`` on a migrated database; no users yet."""
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    """Runs the app's commands as ``crmkit`` does: ``runner.invoke(args=["user", "list"])``."""
    return app.test_cli_runner()


# People


@pytest.fixture
def crmkit_users(request):
    """The users the test made, with their passwords; the test's ``app`` is built only when needed."""
    from crmkit.testing.accounts import Users

    return Users(lambda: request.getfixturevalue("app"))


@pytest.fixture
def make_user(crmkit_users):
    """``make_user(role="agent", *, email=None, password=None, department=None, office=None,
    manager=None, app=None, **fields) -> User``; departments and offices are made by name."""
    return crmkit_users.make


@pytest.fixture
def client_for(crmkit_users):
    """``client_for(user_or_role, *, app=None, password=None)``: a client logged in through the form."""
    return crmkit_users.client


@pytest.fixture
def api_client(crmkit_users):
    """``api_client(user_or_role="admin", *, app=None)``: a client whose requests carry a bearer token."""
    return crmkit_users.api_client


@pytest.fixture
def admin_client_for(crmkit_users):
    """``admin_client_for(app)``: the admin ADMIN_EMAIL, made in ``app`` and logged in."""
    from crmkit.testing.accounts import ADMIN_EMAIL, ADMIN_PASSWORD, add_user

    def log_in(app):
        admin = add_user(app, ADMIN_EMAIL, ADMIN_PASSWORD, is_admin=True, name="Admin")
        crmkit_users.passwords[admin.email], crmkit_users.apps[admin.email] = ADMIN_PASSWORD, app
        return crmkit_users.client(admin, app=app)

    return log_in


@pytest.fixture
def admin_client(app, admin_client_for):
    """A client of ``app`` logged in as the admin ADMIN_EMAIL."""
    return admin_client_for(app)


@pytest.fixture
def manager_client(client_for):
    """A client of ``app`` logged in as a new manager."""
    return client_for("manager")


@pytest.fixture
def agent_client(client_for):
    """A client of ``app`` logged in as a new agent."""
    return client_for("agent")


# Time


@pytest.fixture
def frozen_clock():
    """Time stands still at FROZEN_AT (2026-03-02 09:00 UTC) until ``move_to`` or ``tick``."""
    from crmkit.testing.clock import FrozenClock

    with FrozenClock() as clock:
        yield clock
