"""Issue 12's "done when", in a real browser, with JavaScript and without: an admin makes a
pipeline on its setup page, adds a deal whose line items add up to its amount, moves one deal
across the board with the mouse, another with the keyboard, closes a third as lost (the board
asks for the reason and the competitor), reopens it, and the deal's page shows the time it
spent in each stage. Without JavaScript the same moves go through each card's stage select.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from babel.numbers import format_currency
from playwright.sync_api import expect
from sqlalchemy import select

from crmkit import db
from crmkit.core.auth.models import User
from crmkit.core.pipelines import setup
from crmkit.core.pipelines.models import DealCompetitor, Pipeline, PriceItem, Stage
from crmkit.entities.service import Records
from tests.browser.conftest import log_in
from tests.pipelining import deal

pytestmark = pytest.mark.browser
CENT = Decimal("0.01")


def seed(app) -> dict:
    """What the admin keeps besides pipelines: a price, a loss reason, a competitor."""
    with app.app_context():
        session = db.session()
        price = PriceItem(name="Cement M500", unit="bag", currency="KZT", price=Decimal("2850.00"), vat_rate=Decimal("12"))
        session.add(price)
        session.commit()
        reason = setup.add_loss_reason(session, {"en": "Too expensive"})
        admin = session.get(User, 1)
        organisations = Records(app.extensions["crmkit"].entities.get("organization"), admin, session)
        rival = organisations.create({"name": "Rival Trading LLP", "is_competitor": True})
        return {"price": price.id, "reason": reason.id, "rival": rival.id}


def line_total(quantity: str, price: str, discount: str, vat: str) -> Decimal:
    """One line as an accountant works it out: net after the discount, then VAT, each to the tiyn."""
    net = (Decimal(quantity) * Decimal(price) * (100 - Decimal(discount)) / 100).quantize(CENT, ROUND_HALF_UP)
    return net + (net * Decimal(vat) / 100).quantize(CENT, ROUND_HALF_UP)


def stages_of(app, pipeline_name: str) -> tuple[int, dict[str, int]]:
    with app.app_context():
        session = db.session()
        pipeline = next(p for p in session.execute(select(Pipeline)).scalars() if p.names.get("en") == pipeline_name)
        stages = session.execute(select(Stage).where(Stage.pipeline_id == pipeline.id)).scalars()
        return pipeline.id, {s.names["en"]: s.id for s in stages}


def new_deal(page, base: str, title: str, pipeline: str) -> int:
    page.goto(f"{base}/deal/new")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Pipeline").select_option(label=pipeline)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/deal/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def add_line(page, base: str, deal_id: int, price_item: int | None = None, **fields: str) -> None:
    page.goto(f"{base}/deal/{deal_id}")
    page.get_by_role("link", name="Add a line").click()
    if price_item:
        page.get_by_label("From the price list").select_option(value=str(price_item))
    for label, value in fields.items():
        page.locator(f"#l-{label}").fill(value)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(rf"/deal/{deal_id}(#[-\w]*)?$"))


def column(page, stage_id: int):
    return page.locator(f'section.board-column[data-stage="{stage_id}"]')


def drag(page, card, target) -> None:
    """Press the mouse on the card, move it over the column in steps, let go."""
    start, end = card.bounding_box(), target.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + 12)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=12)
    page.mouse.up()


def move_without_javascript(page, deal_id: int, stage: str) -> None:
    card = page.locator(f"#deal-{deal_id}")
    card.get_by_label("Move to").select_option(label=stage)
    card.get_by_role("button", name="Move").click()


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_a_pipeline_from_setup_to_a_reopened_deal(live_server, live_app, new_page, javascript):
    base = live_server.url
    seeded = seed(live_app)
    page = new_page(viewport={"width": 1700, "height": 900}, java_script_enabled=javascript)  # the board's columns side by side
    log_in(page, base)

    # the admin makes a pipeline on its setup page
    page.goto(f"{base}/admin/pipelines/")
    page.locator("form:has(button:text('Add')) input[name=name_en]").fill("Wholesale")
    page.locator("form:has(button:text('Add')) input[name=name_ru]").fill("Опт")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator("h1")).to_have_text("Wholesale")
    pipeline_id, stages = stages_of(live_app, "Wholesale")

    # a deal whose amount is the total of its line items
    cement = new_deal(page, base, "Cement for Alatau", "Wholesale")
    add_line(page, base, cement, seeded["price"], quantity="3", discount="10")
    add_line(page, base, cement, name="Delivery", quantity="1", price="5000", vat="12")
    expected = line_total("3", "2850", "10", "12") + line_total("1", "5000", "0", "12")
    expect(page.locator("#deal-lines [data-total]")).to_have_text(format_currency(expected, "KZT", locale="en"))
    assert deal(live_app, cement).amount == expected
    roofing = new_deal(page, base, "Roofing for Medeu", "Wholesale")
    facade = new_deal(page, base, "Facade for Dostyk", "Wholesale")

    page.locator("nav").get_by_role("link", name="Board").click()
    page.wait_for_url(f"{base}/pipelines/{pipeline_id}/board")
    expect(column(page, stages["Qualification"]).locator("[data-count]")).to_have_text("3")

    if javascript:
        # the mouse drags one card to Proposal
        drag(page, page.locator(f"#deal-{cement}"), column(page, stages["Proposal"]))
        expect(column(page, stages["Proposal"]).locator(f"#deal-{cement}")).to_be_visible()
        expect(column(page, stages["Proposal"]).locator("[data-count]")).to_have_text("1")
        # the keyboard moves another to Negotiation: Enter opens the stages, the arrows choose
        page.locator(f"#deal-{roofing}").focus()
        page.keyboard.press("Enter")
        menu = page.get_by_role("menu", name="Move to stage")
        expect(menu.get_by_role("menuitem").first).to_be_focused()
        page.keyboard.press("ArrowDown")
        expect(menu.get_by_role("menuitem", name="Negotiation")).to_be_focused()
        page.keyboard.press("Enter")
        expect(column(page, stages["Negotiation"]).locator(f"#deal-{roofing}")).to_be_focused()
        # dropping on Lost asks why, and who won it
        drag(page, page.locator(f"#deal-{facade}"), column(page, stages["Lost"]))
        dialog = page.locator("dialog#board-lost")
        expect(dialog).to_be_visible()
        dialog.get_by_label("Why was it lost?").select_option(label="Too expensive")
        dialog.get_by_label("Rival Trading LLP").check()
        dialog.get_by_label("Note").fill("They were cheaper")
        dialog.get_by_role("button", name="Close as lost").click()
        expect(dialog).to_be_hidden()
        expect(column(page, stages["Lost"]).locator(f"#deal-{facade}")).to_be_visible()
        page.reload()  # what the board showed is what was saved
    else:
        move_without_javascript(page, cement, "Proposal")
        expect(page.locator(".flash-success")).to_contain_text("Cement for Alatau moved to Proposal")
        move_without_javascript(page, roofing, "Negotiation")
        move_without_javascript(page, facade, "Lost")
        expect(page.get_by_label("Why was it lost?")).to_be_visible()  # a page of its own asks
        page.get_by_label("Why was it lost?").select_option(label="Too expensive")
        page.get_by_label("Rival Trading LLP").check()
        page.get_by_label("Note").fill("They were cheaper")
        page.get_by_role("button", name="Close as lost").click()
        page.wait_for_url(re.compile(rf"/pipelines/{pipeline_id}/board"))
    for deal_id, stage in ((cement, "Proposal"), (roofing, "Negotiation"), (facade, "Lost")):
        expect(column(page, stages[stage]).locator(f"#deal-{deal_id}")).to_be_visible()
        assert deal(live_app, deal_id).stage_id == stages[stage]
    lost = deal(live_app, facade)
    assert lost.loss_reason_id == seeded["reason"] and lost.loss_note == "They were cheaper" and lost.closed_at is not None
    with live_app.app_context():
        assert db.session().get(DealCompetitor, (facade, seeded["rival"])) is not None

    # the lost deal is reopened from its page, which shows the time in each stage
    column(page, stages["Lost"]).get_by_role("link", name="Facade for Dostyk").click()
    page.wait_for_url(re.compile(rf"/deal/{facade}(#[-\w]*)?$"))
    page.get_by_role("link", name="Reopen").click()
    page.get_by_label("Back to stage").select_option(label="Negotiation")
    page.get_by_role("button", name="Reopen").click()
    page.wait_for_url(re.compile(rf"/deal/{facade}(#[-\w]*)?$"))
    reopened = deal(live_app, facade)
    assert reopened.stage_id == stages["Negotiation"] and reopened.closed_at is None
    times = page.locator(".time-in-states tbody tr")
    expect(times).to_have_count(3)
    expect(page.locator(".time-in-states")).to_contain_text("Qualification")
    expect(page.locator(".time-in-states")).to_contain_text("Lost")
    expect(page.locator(".time-in-states")).to_contain_text("Negotiation")
