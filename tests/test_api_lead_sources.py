"""crmkit.api.lead_sources and lead_source_field: a plugin names the admins' lead sources."""

from __future__ import annotations

from marshmallow import Schema, ValidationError

from crmkit import api
from crmkit.testing import csrf_token

URL = "/admin/leads/sources"


def add_source(client, key, name, **matches):
    data = {"key": key, "name_en": name, "active": "on", "csrf_token": csrf_token(client, URL + "/new"), **matches}
    assert client.post(URL, data=data).status_code == 302


def test_lead_sources_lists_each_source_with_its_tracking_numbers(make_app, admin_client_for):
    app = make_app(DEFAULT_LOCALE="en")
    admin = admin_client_for(app)
    add_source(admin, "krisha", "Krisha", number="+7 (727) 000-00-01")
    add_source(admin, "olx", "OLX")
    with app.test_request_context():
        found = {s["key"]: s for s in api.lead_sources()}
    assert found["krisha"]["name"] == "Krisha" and found["krisha"]["numbers"] == ["+77270000001"]
    assert found["olx"]["numbers"] == [] and found["olx"]["active"] is True


def test_lead_source_field_accepts_a_source_and_refuses_an_unknown_id(make_app, admin_client_for):
    app = make_app(DEFAULT_LOCALE="en")
    add_source(admin_client_for(app), "krisha", "Krisha")

    class Placement(Schema):
        source_id = api.lead_source_field("Source", required=True)

    with app.test_request_context():
        known = api.lead_sources()[0]["id"]
        assert Placement().load({"source_id": str(known)}) == {"source_id": known}
        try:
            Placement().load({"source_id": known + 100})
        except ValidationError as error:
            assert "source_id" in error.messages
        else:
            raise AssertionError("an unknown source was accepted")
