"""Disabling the plugin takes the incoming-call card and click-to-call off every page; the core's
pages, phones included, keep working."""

import re

import pytest

from crmkit import api


def cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


@pytest.fixture
def build(make_app):
    return lambda: make_app(plugins=[], LOAD_ENTRY_POINTS=True, DEFAULT_LOCALE="en")


def test_disabling_telephony_removes_the_card_and_click_to_call(build, client_for, make_user):
    assert cli(build(), "plugins", "enable", "telephony").exit_code == 0
    app = build()
    agent = make_user("agent", app=app, locale="en")
    with app.test_request_context():
        person = api.Records("person", api.find_user(id=agent.id)).create({"name": "Dana", "phone": "+77011234567"}).id
    page = client_for(agent, app=app).get(f"/person/{person}").get_data(as_text=True)
    assert 'class="tel-live"' in page and 'action="/telephony/call?' in page

    assert cli(app, "plugins", "disable", "telephony").exit_code == 0
    app = build()
    client = client_for(agent, app=app)
    response = client.get(f"/person/{person}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and re.search(r"\+7\W701\W123\W?45\W?67", page)  # the phone, as text
    assert "tel-live" not in page and "/telephony/call" not in page and "live.js" not in page
    assert client.get("/telephony/live/poll").status_code == 404
    assert client.get("/telephony/live/stream").status_code == 404
    assert client.get("/").status_code == 200
