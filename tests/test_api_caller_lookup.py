"""``api.caller_lookup``: the caller lookup for a plugin (an incoming-call card), as the user sees it."""

from __future__ import annotations

import pytest

from crmkit import api


def test_a_number_typed_the_local_way_gives_its_holders_with_organisation_and_activities(app, make_user):
    agent = make_user("agent")
    with app.test_request_context():
        acting = api.find_user(id=agent.id)
        org = api.Records("organization", acting).create({"name": "Steppe Logistics"})
        person = api.Records("person", acting).create({"name": "Dana", "phone": "+77011234567", "organization_id": org.id})
        api.Records("activity", acting).create({"kind": "note", "subject": "Price list", "about_entity": "person",
                                                "about_id": person.id})
        found = api.caller_lookup(acting, "8 701 123 45 67")
        [match] = found.matches
        assert found.phone == "+77011234567" and (match.entity.key, match.record.id) == ("person", person.id)
        assert match.organization.name == "Steppe Logistics"
        assert [entry.activity.subject for entry in match.activities] == ["Price list"]


def test_what_the_user_does_not_see_is_not_found(app, make_user):
    owner, other = make_user("agent"), make_user("agent")
    with app.test_request_context():
        api.Records("person", api.find_user(id=owner.id)).create({"name": "Dana", "phone": "+77011234567"})
        assert api.caller_lookup(api.find_user(id=other.id), "+77011234567").matches == []


def test_text_that_is_no_number_is_a_value_error(app, make_user):
    agent = make_user("agent")
    with app.test_request_context(), pytest.raises(ValueError):
        api.caller_lookup(api.find_user(id=agent.id), "call me")
