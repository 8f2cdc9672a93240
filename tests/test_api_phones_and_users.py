"""The public API's phone and user look-ups a telephony or SMS plugin matches callers with."""

import pytest

from crmkit import api


@pytest.fixture
def people(app, make_user):
    owner = make_user("agent", email="Owner@Example.kz")
    with app.test_request_context():
        records = api.Records("person", api.find_user(id=owner.id))
        dana = records.create({"name": "Dana", "phone": "+77011234567"}).id
        org = api.Records("organization", api.find_user(id=owner.id)).create({"name": "Dana LLP", "phone": "+77011234567"}).id
    return {"owner": owner.id, "dana": dana, "org": org}


def test_a_number_typed_the_local_way_reads_as_e164(app):
    with app.app_context():
        assert api.phone_e164("8 701 123 45 67") == api.phone_e164("+7 701 1234567") == "+77011234567"


def test_text_that_is_no_number_is_a_value_error(app):
    with app.app_context(), pytest.raises(ValueError):
        api.phone_e164("call me")


def test_every_person_and_organisation_holding_a_number_is_found(app, people):
    with app.app_context():
        assert sorted(api.phone_holders("87011234567")) == sorted([("person", people["dana"]), ("organization", people["org"])])
        assert api.phone_holders("+77019990000") == []


def test_a_user_is_found_by_id_or_by_email_in_any_case(app, people):
    with app.app_context():
        assert api.find_user(id=people["owner"]).id == people["owner"]
        assert api.find_user(email=" owner@example.KZ ").id == people["owner"]
        assert api.find_user(email="nobody@example.kz") is None
        assert api.find_user(id=10**6) is None
