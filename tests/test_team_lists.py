""""My team's" records on every list: ``?owner_id=team`` lists what everyone below the user in the
manager tree owns, at any depth, not the user's own nor anyone else's."""

import pytest

from crmkit import api, db
from crmkit.core.auth.models import User


@pytest.fixture
def app(make_app):
    return make_app(CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")


def person(app, owner, name):
    with app.test_request_context():
        api.Records("person", db.session().get(User, owner.id)).create({"name": name})


def test_the_team_filter_lists_what_the_managers_reports_own_at_any_depth(app, make_user, client_for):
    head = make_user("admin", name="Head")
    lead = make_user("agent", name="Team lead", manager=head)
    junior = make_user("agent", name="Junior", manager=lead)
    outsider = make_user("agent", name="Outsider")
    for owner, name in ((head, "Own client"), (lead, "Lead's client"), (junior, "Junior's client"),
                        (outsider, "Outsider's client")):
        person(app, owner, name)
    page = client_for(head).get("/person/?owner_id=team").get_data(as_text=True)
    assert "Lead&#39;s client" in page and "Junior&#39;s client" in page
    assert "Own client" not in page and "Outsider&#39;s client" not in page


def test_the_owner_filter_offers_my_team_beside_me(app, make_user, client_for):
    page = client_for(make_user("admin")).get("/person/").get_data(as_text=True)
    assert '<option value="team">My team</option>' in page
