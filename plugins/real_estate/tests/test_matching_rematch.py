"""``crmkit real-estate rematch``: objects saved without telling anyone (an import) are matched
again and, when asked, their buyers' agents notified."""

import pytest
from sqlalchemy import select

from crmkit import api
from crmkit.core.notifications.models import Notification

from demand_data import add_demand, add_object


@pytest.fixture
def app(make_app):
    return make_app(DEFAULT_LOCALE="en", JOBS_IMMEDIATE=True)


def told(user):
    return list(api.session().execute(select(Notification.title).where(Notification.user_id == user.id)).scalars())


def test_a_dry_run_reports_the_matches_and_tells_nobody(app, make_user):
    listing, buyers = make_user("agent"), make_user("agent")
    with app.test_request_context():
        add_demand(buyers)
        prop = add_object(listing)
    result = app.test_cli_runner().invoke(args=["real-estate", "rematch"])
    assert result.exit_code == 0, result.output
    assert f"{prop.number}: 1 matching demands, 0 agents notified" in result.output
    with app.app_context():
        assert told(buyers) == []


def test_notify_tells_the_buyers_agents(app, make_user):
    listing, buyers = make_user("agent"), make_user("agent")
    with app.test_request_context():
        add_demand(buyers)
        prop = add_object(listing)
    result = app.test_cli_runner().invoke(args=["real-estate", "rematch", "--notify"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert told(buyers) == [f"Matching rerun: {prop.number} matches 1 of your buyers' demands"]
