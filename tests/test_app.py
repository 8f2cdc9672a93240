"""The app factory: safe configuration, its sources in order, the instance folder, one plugin
manager per app, the health check, error pages and template overrides, all through the real app."""

from __future__ import annotations

import gc
import shutil
import weakref

import pytest

from crmkit import db
from crmkit.app import create_app
from crmkit.config import ConfigError
from tests.plugins.notebook import hooks as notebook

REAL_SECRET = "9f0c2d7e4b1a8c3f6e5d4a2b1c0f9e8d"


@pytest.fixture
def build(instance_path, database_url, monkeypatch):
    """``create_app`` as production runs it: not testing, not debugging, unless a test says so."""
    for name in ("FLASK_DEBUG", "CRMKIT_SECRET_KEY", "CRMKIT_DEFAULT_CURRENCY", "CRMKIT_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    apps = []

    def factory(**config):
        settings = {"DATABASE_URL": database_url, "LOAD_ENTRY_POINTS": False, **config}
        app = create_app(settings)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        db.engine_of(app).dispose()


def write_instance_file(instance_path, name, text):
    path = instance_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# The secret key


def test_refuses_to_start_outside_debug_and_testing_without_a_secret_key(build):
    with pytest.raises(ConfigError) as refused:
        build()
    assert "SECRET_KEY" in str(refused.value)


def test_refusal_says_how_to_fix_a_missing_secret_key(build, instance_path):
    with pytest.raises(ConfigError) as refused:
        build()
    message = str(refused.value)
    assert "crmkit init" in message
    assert "CRMKIT_SECRET_KEY" in message
    assert str(instance_path / "config.py") in message


@pytest.mark.parametrize("placeholder", ["dev", "change-me", "CHANGEME", " secret ", "please-change"])
def test_refuses_to_start_with_a_placeholder_secret_key(build, placeholder):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        build(SECRET_KEY=placeholder)


def test_refuses_to_start_with_a_short_secret_key(build):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        build(SECRET_KEY="x7Qp2Lr9")


def test_refuses_a_placeholder_secret_key_from_the_environment(build, monkeypatch):
    monkeypatch.setenv("CRMKIT_SECRET_KEY", "change-me")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        build()


def test_starts_outside_debug_with_a_long_random_secret_key(build):
    assert build(SECRET_KEY=REAL_SECRET).secret_key == REAL_SECRET


def test_starts_in_debug_without_a_secret_key_using_a_random_one(build, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    first, second = build(), build()
    assert first.debug
    assert len(first.secret_key) >= 32
    assert first.secret_key != second.secret_key


# Where the configuration comes from, each source overriding the one before


def test_defaults_apply_when_nothing_else_is_set(build):
    app = build(SECRET_KEY=REAL_SECRET)
    assert app.config["DEFAULT_CURRENCY"] == "KZT"
    assert app.config["DEFAULT_LOCALE"] == "ru"
    assert app.config["DEFAULT_TIMEZONE"] == "Asia/Almaty"


def test_instance_config_file_overrides_the_defaults(build, instance_path):
    write_instance_file(instance_path, "config.py", f"SECRET_KEY = {REAL_SECRET!r}\nDEFAULT_CURRENCY = 'RUB'\n")
    app = build()
    assert app.secret_key == REAL_SECRET
    assert app.config["DEFAULT_CURRENCY"] == "RUB"


def test_environment_variables_override_the_instance_config_file(build, instance_path, monkeypatch):
    write_instance_file(instance_path, "config.py", f"SECRET_KEY = {REAL_SECRET!r}\nDEFAULT_CURRENCY = 'RUB'\n")
    monkeypatch.setenv("CRMKIT_DEFAULT_CURRENCY", "USD")
    assert build().config["DEFAULT_CURRENCY"] == "USD"


def test_test_config_overrides_environment_variables(build, instance_path, monkeypatch):
    write_instance_file(instance_path, "config.py", f"SECRET_KEY = {REAL_SECRET!r}\nDEFAULT_CURRENCY = 'RUB'\n")
    monkeypatch.setenv("CRMKIT_DEFAULT_CURRENCY", "USD")
    assert build(DEFAULT_CURRENCY="EUR").config["DEFAULT_CURRENCY"] == "EUR"


def test_instance_path_variable_moves_the_instance_folder_and_its_database(instance_path, monkeypatch):
    monkeypatch.delenv("CRMKIT_DATABASE_URL", raising=False)
    app = create_app({"TESTING": True, "LOAD_ENTRY_POINTS": False})
    try:
        assert app.instance_path == str(instance_path)
        assert app.config["DATABASE_URL"] == f"sqlite:///{instance_path / 'crmkit.sqlite3'}"
        assert (instance_path / "crmkit.sqlite3").exists()
    finally:
        db.engine_of(app).dispose()


def test_relative_instance_path_is_taken_from_the_working_directory(tmp_path, database_url, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CRMKIT_INSTANCE_PATH", "relative-instance")
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "LOAD_ENTRY_POINTS": False})
    db.engine_of(app).dispose()
    assert app.instance_path == str(tmp_path / "relative-instance")


# One plugin manager per app


def test_two_apps_in_one_process_have_separate_plugin_managers(make_app):
    with_notebook, without = make_app(plugins=[notebook]), make_app()
    assert with_notebook.extensions["crmkit"].pm is not without.extensions["crmkit"].pm
    assert without.extensions["crmkit"].pm.get_plugin("notebook") is None
    assert with_notebook.extensions["crmkit"].pm.get_plugin("notebook") is notebook
    assert "notebook.index" in with_notebook.view_functions
    assert "notebook.index" not in without.view_functions


def test_an_app_no_longer_used_is_freed_with_its_plugin_manager(database_url, instance_path):
    """Nothing process-wide keeps an app's plugins alive (the test suite makes a thousand apps)."""
    app = create_app({"TESTING": True, "SECRET_KEY": REAL_SECRET, "DATABASE_URL": database_url, "LOAD_ENTRY_POINTS": False})
    manager = weakref.ref(app.extensions["crmkit"].pm)
    db.engine_of(app).dispose()
    del app
    gc.collect()
    assert manager() is None


# The health check


def test_health_answers_200_json_without_login(client):
    response = client.get("/-/health")
    assert response.status_code == 200
    assert response.is_json
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_health_answers_503_json_when_the_database_is_unreachable(make_app, tmp_path):
    folder = tmp_path / "database-disk"
    folder.mkdir()
    app = make_app(DATABASE_URL=f"sqlite:///{folder / 'crm.sqlite3'}")
    assert app.test_client().get("/-/health").status_code == 200
    shutil.rmtree(folder)  # the database goes away under the running app
    db.engine_of(app).dispose()
    response = app.test_client().get("/-/health")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unreachable"}


# Error pages


def test_404_for_a_browser_is_an_html_page_in_its_language(client):
    response = client.get("/no-such-page", headers={"Accept": "text/html", "Accept-Language": "ru-RU,ru;q=0.9"})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert '<html lang="ru">' in page
    assert "Страница не найдена" in page


def test_404_for_a_browser_follows_the_language_it_asks_for(client):
    response = client.get("/no-such-page", headers={"Accept-Language": "en"})
    page = response.get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Page not found" in page


def test_404_under_api_is_a_json_error_with_code_message_and_fields(client):
    response = client.get("/api/no-such-thing", headers={"Accept": "text/html", "Accept-Language": "en"})
    assert response.status_code == 404
    assert response.is_json
    assert response.get_json() == {"error": {"code": 404, "message": "Page not found", "fields": {}}}


def test_error_page_does_not_leak_a_traceback_or_werkzeug_text(client):
    page = client.get("/no-such-page", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Traceback" not in page
    assert "The requested URL was not found" not in page  # werkzeug's own wording


# Template overrides from the instance folder


def test_instance_template_replaces_a_core_template(make_app, instance_path):
    write_instance_file(instance_path, "templates/errors.html", "<p>Our own error page: {{ code }}</p>")
    response = make_app().test_client().get("/no-such-page")
    assert response.status_code == 404
    assert response.get_data(as_text=True) == "<p>Our own error page: 404</p>"


def test_instance_override_of_the_home_page_can_extend_the_core_original(make_app, instance_path, admin_client_for):
    write_instance_file(
        instance_path,
        "templates/home/index.html",
        '{% extends "core:home/index.html" %}'
        '{% block content %}<p id="branch-news">Almaty office opens</p>{{ super() }}{% endblock %}',
    )
    page = admin_client_for(make_app()).get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<p id="branch-news">Almaty office opens</p>' in page
    assert "Welcome, Admin" in page  # the core page's own content, through super()


def test_instance_override_of_base_html_extends_the_core_layout_on_every_page(make_app, instance_path):
    write_instance_file(
        instance_path,
        "templates/base.html",
        '{% extends "core:base.html" %}{% block head %}<meta name="brand" content="Acme CRM">{% endblock %}',
    )
    client = make_app().test_client()
    for page in (client.get("/login").get_data(as_text=True), client.get("/no-such-page").get_data(as_text=True)):
        assert '<meta name="brand" content="Acme CRM">' in page
        assert 'class="topbar"' in page  # still the core layout
