"""A plugin defined in the tests adds a table with its own migration, a page, a nav item and a command."""

from sqlalchemy import inspect

from crmkit import db
from tests.conftest import csrf_token
from tests.plugins.notebook import hooks as notebook


def test_plugin_table_is_created_by_its_own_migration_lineage(make_app):
    app = make_app(plugins=[notebook])
    tables = inspect(db.engine_of(app)).get_table_names()
    assert "notebook_note" in tables
    assert "notebook_alembic_version" in tables


def test_plugin_page_saves_and_lists_notes(make_app, admin_client_for):
    client = admin_client_for(make_app(plugins=[notebook]))
    token = csrf_token(client, "/notebook/")
    assert client.post("/notebook/", data={"title": "Call Aigerim", "csrf_token": token}).status_code == 302
    assert "Call Aigerim" in client.get("/notebook/").get_data(as_text=True)


def test_plugin_nav_item_appears_in_the_layout(make_app, admin_client_for):
    client = admin_client_for(make_app(plugins=[notebook]))
    assert 'href="/notebook/"' in client.get("/").get_data(as_text=True)


def test_plugin_command_runs_through_the_app_cli(make_app):
    runner = make_app(plugins=[notebook]).test_cli_runner()
    assert runner.invoke(args=["notebook", "add", "Send the offer"]).exit_code == 0
    result = runner.invoke(args=["notebook", "count"])
    assert result.output.strip() == "1"
