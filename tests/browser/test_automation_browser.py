"""Issue 17 in a real browser: an admin builds a rule on the automation page from what deals
declare (a stage entered, a condition on the amount, a task for the owner), saves it, tries it on
a deal (a dry run that changes nothing), and the rule then runs when the deal moves."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from crmkit import db
from crmkit.core.activities.models import Activity
from crmkit.core.auth.models import User
from crmkit.entities.service import Records
from crmkit.testing import ADMIN_EMAIL
from tests.browser.conftest import LiveServer, log_in
from tests.pipelining import new_pipeline

pytestmark = pytest.mark.browser


@pytest.fixture
def live_app(live_app):
    live_app.config.update(AUTOMATION_CACHE_SECONDS=0, JOBS_IMMEDIATE=True)
    return live_app


def a_deal(app, sales) -> int:
    with app.app_context():
        session = db.session()
        admin = session.execute(select(User).where(User.email == ADMIN_EMAIL)).scalar_one()
        deals = Records(app.extensions["crmkit"].entities.get("deal"), admin, session)
        return deals.create({"title": "Flat on Abay", "pipeline_id": sales["pipeline"], "amount": "5000000"}).id


def tasks(app, deal_id) -> list[str]:
    with app.app_context():
        found = db.session().execute(select(Activity.subject).where(Activity.about_entity == "deal", Activity.about_id == deal_id))
        return list(found.scalars())


def test_an_admin_builds_a_rule_and_tries_it_on_a_deal(live_app, browser_page):
    sales = new_pipeline(live_app)
    deal_id = a_deal(live_app, sales)
    page = browser_page
    with LiveServer(live_app) as server:
        log_in(page, server.url)
        page.goto(f"{server.url}/admin/automation/")
        page.get_by_role("link", name="New rule").click()

        page.get_by_label("Name").fill("Negotiation needs a call")
        page.get_by_label("Entity").select_option(label="Deals")
        page.get_by_role("button", name="Update the form").click()  # the deal's triggers, fields and actions
        page.get_by_label("Trigger").select_option(label="A record enters a state")
        page.get_by_role("button", name="Update the form").click()
        page.get_by_label("State").select_option(label="Sales: Negotiation")
        page.locator("select[name=condition-0-field]").select_option(label="Amount")
        page.locator("select[name=condition-0-op]").select_option(label="is greater than")
        page.locator("input[name=condition-0-value]").fill("1000000")
        page.get_by_label("Action 1").select_option(label="Create a task")
        page.get_by_role("button", name="Update the form").click()
        page.get_by_label("Subject").fill("Agree the price")
        page.get_by_label("Due in working days").fill("3")
        page.get_by_role("button", name="Save").click()
        expect(page.locator(".flash").first).to_contain_text("Rule «Negotiation needs a call» saved.")

        page.get_by_label("Number of the record").fill(str(deal_id))
        page.get_by_role("button", name="Try").click()
        trial = page.locator("#trial")
        expect(trial).to_contain_text("they hold")
        expect(trial.locator("li")).to_contain_text("Create «Agree the price» for the owner (Admin)")
        assert tasks(live_app, deal_id) == []  # a dry run does nothing

        page.goto(f"{server.url}/deal/{deal_id}/edit")
        page.get_by_label("Stage").select_option(label="Negotiation")
        page.get_by_role("button", name="Save").click()
        page.wait_for_url(f"{server.url}/deal/{deal_id}")
        assert tasks(live_app, deal_id) == ["Agree the price"]
