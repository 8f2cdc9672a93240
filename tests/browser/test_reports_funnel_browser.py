"""The sales funnel in a real browser, in Russian and Kazakh: the translated headings, the funnel
chart drawn as an image under the strict CSP, and a stage's figure opening the list of exactly
that many deals. A screenshot of each language is left in tests/browser/artifacts/ to look at."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from crmkit import db
from crmkit.core.auth.models import User
from tests.browser.conftest import ARTIFACTS, log_in, tr
from tests.conftest import ADMIN_EMAIL
from tests.deal_histories import build
from tests.test_reports_funnel import PERIOD

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_the_funnel_page_reads_in_the_users_language_and_drills_down(live_server, live_app, new_page, lang):
    with live_app.app_context():
        admin = db.session().execute(select(User).where(User.email == ADMIN_EMAIL)).scalar_one()
        admin.locale = lang
        admin_id = admin.id
        db.session().commit()
    world = build(live_app, seed=5, count=90, admin_id=admin_id)
    page = new_page(locale=lang, viewport={"width": 1280, "height": 900})
    log_in(page, live_server.url)
    query = "&".join(f"{k}={v}" for k, v in {"pipeline": world.pipeline, **PERIOD}.items())
    page.goto(f"{live_server.url}/reports/funnel/?{query}")

    expect(page.locator("h1")).to_have_text(tr(lang, "Sales funnel"))
    head = page.locator(".report-table thead")
    for heading in ("Deals entered", "Conversion to the next stage, %", "Median days in stage"):
        expect(head).to_contain_text(tr(lang, heading))
    chart = page.locator(".report-chart img")
    expect(chart).to_be_visible()
    assert page.evaluate("img => img.complete && img.naturalWidth > 0", chart.element_handle())
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"funnel-{lang}.png", full_page=True)

    first = page.locator(".report-table tbody tr").first.locator("td a").first
    figure = int(re.sub(r"\D", "", first.inner_text()))
    first.click()
    page.wait_for_url(re.compile(r"/deal/\?.*in_report=funnel"))
    expect(page.locator(".page-head p.muted")).to_contain_text(str(figure))
