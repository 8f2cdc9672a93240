"""On a running install, `crmkit plugins enable real_estate` adds its tables, pages and menu without
touching the core's data; `disable` hides them and keeps the data; enabling again shows it back."""

import pytest
from sqlalchemy import inspect

from crmkit import db

OBJECT = {"kind": "apartment", "deal_type": "sale", "city": "Almaty", "area": "50", "rooms": 2, "price": "30000000"}


def cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


@pytest.fixture
def build(make_app):
    return lambda: make_app(plugins=[], LOAD_ENTRY_POINTS=True, DEFAULT_LOCALE="en")


def tables(app):
    return set(inspect(db.engine_of(app)).get_table_names())


def test_enabling_disabling_and_enabling_again_keeps_the_objects_and_the_core_data(build, api_client, client_for):
    app = build()
    assert "real_estate_property" not in tables(app)
    person = api_client("admin", app=app).post("/api/v1/person", json={"name": "Core client"}).get_json()

    assert cli(app, "plugins", "enable", "real_estate").exit_code == 0
    app = build()
    assert "real_estate_property" in tables(app) and "inventory_link" in tables(app)
    admin = api_client("admin", app=app)
    made = admin.post("/api/v1/real_estate/property", json=OBJECT)
    assert made.status_code == 201, made.get_json()
    assert admin.get(f"/api/v1/person/{person['id']}").get_json()["name"] == "Core client"
    assert 'href="/real-estate/"' in client_for("admin", app=app).get("/").get_data(as_text=True)

    assert cli(app, "plugins", "disable", "real_estate").exit_code == 0
    app = build()
    browser = client_for("admin", app=app)
    assert browser.get("/real-estate/").status_code == 404
    assert browser.get(f"/real_estate/property/{made.get_json()['id']}").status_code == 404
    assert 'href="/real-estate/"' not in browser.get("/").get_data(as_text=True)
    assert 'name="inventory.items"' not in browser.get("/activity/new").get_data(as_text=True)
    assert "real_estate_property" in tables(app)

    assert cli(app, "plugins", "enable", "real_estate").exit_code == 0
    app = build()
    again = api_client("admin", app=app).get(f"/api/v1/real_estate/property/{made.get_json()['id']}")
    assert again.status_code == 200 and again.get_json()["number"] == made.get_json()["number"]
