"""Issue 16's "done when", in a real browser: a visitor sends the form embedded in a page of
another site (another host and port); a secretary accepts the lead in the unsorted queue with the
keyboard; the assignment rule gives it to an agent; the agent converts it into a deal in one step,
moves the deal to Won on the board; and the leads report counts it for its source, its figure
linking to the lead."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from crmkit import db
from crmkit.core.lead_routing.models import Pointer, Rule
from crmkit.core.leads.models import Lead, Source, SourceMatch
from crmkit.core.pipelines.models import Deal
from crmkit.testing import PASSWORD
from tests.browser.conftest import log_in
from tests.leads.triaging import new_pipeline

pytestmark = pytest.mark.browser
NAME = "Айгуль Сейткали"


def seed(app, make_user) -> dict:
    """The agency's setup: a sales pipeline, the Krisha.kz source (its utm_source tag), a
    secretary (a manager's role), an agent, and a rule giving accepted leads to the agent."""
    stages = new_pipeline(app)
    secretary = make_user("manager", app=app, department="Sales", locale="en", name="Saule")
    agent = make_user("agent", app=app, department="Sales", locale="en", name="Aigerim")
    with app.app_context():
        session = db.session()
        source = Source(key="krisha", names={"en": "Krisha.kz", "ru": "Крыша"})
        session.add(source)
        session.flush()
        session.add(SourceMatch(source_id=source.id, kind="utm_source", value="krisha"))
        rule = Rule(name="Everything to Aigerim", position=1, strategy="user", user_id=agent.id, conditions={})
        session.add(rule)
        session.flush()
        session.add(Pointer(rule_id=rule.id, turns=0))
        session.commit()
        return {"stages": stages, "secretary": secretary.email, "agent": agent.email, "agent_id": agent.id,
                "source": source.id}


def the_lead(app) -> Lead:
    with app.app_context():
        return db.session().execute(select(Lead).where(Lead.name == NAME)).scalar_one()


def test_a_lead_from_an_embedded_form_to_a_won_deal_counted_by_its_source(
        embedded_form_page, new_page, live_app, live_server, make_user):
    base = live_server.url
    seeded = seed(live_app, make_user)

    # a visitor of the agency's site sends the form embedded there, from an ad's link
    embedded = embedded_form_page("plain", query="?utm_source=krisha&utm_campaign=spring")
    assert not embedded.url.startswith(base)
    visitor = new_page("ru")
    visitor.goto(embedded.url)
    visitor.get_by_label("Ваше имя").fill(NAME)
    visitor.get_by_label("Телефон").fill("8 701 123 45 67")
    visitor.get_by_label("Ваш запрос").fill("Ищу 3-комнатную квартиру в Медеуском районе")
    visitor.get_by_role("button", name="Отправить").click()
    visitor.wait_for_url(f"{base}/intake/forms/{embedded.token}/thanks")
    lead = the_lead(live_app)
    assert (lead.status, lead.source_id, lead.utm_campaign) == ("new", seeded["source"], "spring")

    # the secretary accepts it in the unsorted queue by keyboard: j to the lead, a to accept
    secretary = new_page("en")
    log_in(secretary, base, seeded["secretary"], PASSWORD)
    secretary.get_by_role("link", name="Unsorted leads").click()
    row = secretary.locator(f"#lead-{lead.id}")
    expect(row).to_contain_text(NAME)
    expect(row).to_contain_text("Krisha.kz")
    expect(row).to_contain_text("Ищу 3-комнатную квартиру")
    secretary.wait_for_load_state("load")  # the keys' script is deferred: it runs before "load"
    secretary.keyboard.press("j")
    expect(row).to_be_focused()
    secretary.keyboard.press("a")
    expect(secretary.get_by_text(f"Lead {NAME} accepted.")).to_be_visible()
    expect(secretary.locator(f"#lead-{lead.id}")).to_have_count(0)

    # the rule gave it to the agent
    lead = the_lead(live_app)
    assert (lead.status, lead.owner_id) == ("assigned", seeded["agent_id"])

    # the agent converts it: a new person and a new deal in the sales pipeline, in one step
    agent = new_page("en", viewport={"width": 1700, "height": 900})
    log_in(agent, base, seeded["agent"], PASSWORD)
    agent.goto(f"{base}/lead/{lead.id}")
    agent.get_by_role("link", name="Convert").click()
    expect(agent.get_by_label("Create a new person from the lead")).to_be_checked()
    agent.get_by_label("Pipeline").select_option(label="Sales")
    agent.get_by_label("Title").fill("3-комнатная в Медеуском")
    agent.get_by_label("Amount").fill("45000000")
    agent.get_by_role("button", name="Convert").click()
    agent.wait_for_url(re.compile(rf"{base}/deal/\d+$"))
    deal_id = int(agent.url.rsplit("/", 1)[1])
    expect(agent.get_by_text(f"From the lead {NAME}")).to_be_visible()
    expect(agent.get_by_text("Krisha.kz").first).to_be_visible()
    lead = the_lead(live_app)
    assert (lead.status, lead.deal_id) == ("converted", deal_id) and lead.person_id is not None

    # on the board the agent moves the deal to Won with the keyboard
    agent.locator("nav").get_by_role("link", name="Board").click()
    agent.wait_for_url(re.compile(rf"{base}/pipelines/\d+/board"))
    agent.wait_for_load_state("load")  # board.js is deferred: a key pressed before "load" meets no handler
    card = agent.locator(f"#deal-{deal_id}")
    card.focus()
    agent.keyboard.press("Enter")
    agent.get_by_role("menu", name="Move to stage").get_by_role("menuitem", name="Won").click()
    won = agent.locator(f'section.board-column[data-stage="{seeded["stages"]["Won"]}"]')
    expect(won.locator(f"#deal-{deal_id}")).to_be_visible()
    with live_app.app_context():
        assert db.session().get(Deal, deal_id).won_amount == 45_000_000

    # the leads report counts it for its source, and its figure lists the lead
    secretary.goto(f"{base}/reports/leads/?by=source&period=this_month")
    cells = secretary.locator("table.report-table tbody tr", has=secretary.locator("th", has_text="Krisha.kz")).locator("td")
    expect(cells.nth(0)).to_have_text("1")  # leads
    expect(cells.nth(1)).to_have_text("1")  # converted
    expect(cells.nth(2)).to_contain_text("100")  # conversion, %
    expect(cells.nth(4)).to_have_text("1")  # won deals
    expect(cells.nth(5)).to_contain_text("45")  # revenue
    cells.nth(4).get_by_role("link").click()
    expect(secretary.get_by_role("link", name=NAME)).to_be_visible()
