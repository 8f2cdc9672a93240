"""Issue 16's first step in a real browser: a visitor fills the form embedded in a page of
another site (another port and host), and the lead is in crmkit's lead list with its UTM tags."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from crmkit import db
from crmkit.core.leads.models import Lead
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def stored(app, name):
    with app.app_context():
        return db.session().execute(select(Lead).where(Lead.name == name)).scalar_one_or_none()


def test_the_plain_embedded_form_makes_a_lead_seen_in_the_lead_list(embedded_form_page, new_page, live_app, live_server):
    embedded = embedded_form_page("plain", query="?utm_source=krisha&utm_campaign=winter")
    assert not embedded.url.startswith(live_server.url)
    visitor = new_page("ru")
    visitor.goto(embedded.url)
    visitor.get_by_label("Ваше имя").fill("Айгуль <b>Сейткали</b>")
    visitor.get_by_label("Телефон").fill("+7 701 123 45 67")
    visitor.get_by_label("Ваш запрос").fill("Ищу 2-комнатную в Бостандыкском районе")
    visitor.get_by_role("button", name="Отправить").click()
    visitor.wait_for_url(f"{live_server.url}/intake/forms/{embedded.token}/thanks")
    expect(visitor.get_by_text("Спасибо! Мы перезвоним.")).to_be_visible()

    lead = stored(live_app, "Айгуль <b>Сейткали</b>")
    assert (lead.channel, lead.utm_source, lead.utm_campaign) == ("form", "krisha", "winter")
    assert lead.landing_page == embedded.url

    admin = new_page("en")
    log_in(admin, live_server.url)
    admin.goto(f"{live_server.url}/lead/")
    expect(admin.get_by_role("link", name="Айгуль <b>Сейткали</b>")).to_be_visible()


def test_the_script_form_stays_on_the_page_and_shows_the_thanks(embedded_form_page, new_page, live_app):
    embedded = embedded_form_page("script", thank_you="Рахмет! Хабарласамыз.")
    visitor = new_page("ru")
    visitor.goto(embedded.url)
    visitor.get_by_label("Ваше имя").fill("Ерлан")
    visitor.get_by_label("Телефон").fill("12")  # the browser lets it through; crmkit does not
    visitor.get_by_role("button", name="Отправить").click()
    expect(visitor.locator(".crmkit-form-error[data-for=phone]")).to_have_text("Введите номер телефона с кодом.")
    visitor.get_by_label("Телефон").fill("+7 702 555 44 33")
    visitor.get_by_role("button", name="Отправить").click()
    expect(visitor.get_by_text("Рахмет! Хабарласамыз.")).to_be_visible()
    assert visitor.url == embedded.url
    assert stored(live_app, "Ерлан").phones == "+7 702 555 44 33"


def test_a_page_on_a_site_not_allowed_cannot_send_the_form(embedded_form_page, new_page, live_app):
    embedded = embedded_form_page("script", allowed_origins="https://agency.kz")
    visitor = new_page("ru")
    visitor.goto(embedded.url)
    visitor.get_by_label("Ваше имя").fill("Чужой сайт")
    visitor.get_by_label("Телефон").fill("+7 702 555 44 33")
    visitor.get_by_role("button", name="Отправить").click()
    expect(visitor.locator(".crmkit-form-message")).to_have_text("Не удалось отправить форму; попробуйте ещё раз.")
    assert stored(live_app, "Чужой сайт") is None
