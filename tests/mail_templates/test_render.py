"""render(): the record's fields shown as its page shows them, in the language asked for (links by
name, money and dates in the language's format), escaped in HTML, with a text alternative."""

from __future__ import annotations

import html
from datetime import date
from decimal import Decimal

import pytest
from babel.dates import format_date
from babel.numbers import format_decimal

from crmkit.core.mail_templates import render
from tests.mail_templates.making import a_deal, a_template


@pytest.fixture
def app(make_app):
    return make_app(DEFAULT_LOCALE="en", SMTP_HOST=None, BASE_URL="https://crm.example.kz")


@pytest.fixture
def world(app, make_user):
    admin = make_user("admin", name="Dana Admin")
    return admin, a_deal(app, admin.email), a_template(app)


@pytest.mark.parametrize(("language", "subject", "stage"), [("ru", "Сделка Abay 12", "Квалификация"),
                                                             ("kk", "Мәміле Abay 12", "Біліктілік"),
                                                             ("en", "Deal Abay 12 for Dana Admin", "Qualification")])
def test_a_template_renders_in_each_language(app, world, language, subject, stage):
    admin, deal, _template = world
    with app.test_request_context():
        rendered = render("deal_won", deal, entity="deal", language=language, recipient=admin, sender=admin)
    shown = html.unescape(rendered.html)
    assert rendered.subject == subject
    assert "<li>Altyn Kilt LLP</li>" in shown  # a link shows the linked record's name
    assert f"<li>{format_decimal(Decimal('1500000.50'), '#,##0.00', locale=language)} KZT</li>" in shown
    assert f"<li>{format_date(date(2026, 3, 20), 'long', locale=language)}</li>" in shown
    assert f"<li>{stage}</li>" in shown  # the stage by its name in the language
    assert 'href="https://crm.example.kz/deal/' in rendered.html
    assert "Altyn Kilt LLP" in rendered.text and "https://crm.example.kz/deal/" in rendered.text


def test_the_recipient_and_the_sender_are_named(app, world, make_user):
    admin, deal, _template = world
    agent = make_user("agent", name="Aigerim Agent")
    with app.test_request_context():
        rendered = render("deal_won", deal, entity="deal", language="en", recipient=agent, sender=admin)
    assert rendered.subject == "Deal Abay 12 for Aigerim Agent"
    assert "· Dana Admin</p>" in rendered.html


def test_values_are_escaped_in_html_and_plain_in_the_text(app, make_user):
    admin = make_user("admin")
    deal = a_deal(app, admin.email, title="<script>alert(1)</script> & Co")
    a_template(app)
    with app.test_request_context():
        rendered = render("deal_won", deal, entity="deal", language="en", recipient=admin)
    assert "<script>" not in rendered.html and "&lt;script&gt;" in rendered.html
    assert "<script>alert(1)</script> & Co" in rendered.text


def test_markup_written_in_the_template_is_cleaned_of_scripts(app, make_user):
    admin = make_user("admin")
    deal = a_deal(app, admin.email)
    a_template(app, "scripted", texts={"en": {"subject": "x", "body": '<p onclick="steal()">Hi</p><script>steal()</script>'}})
    with app.test_request_context():
        rendered = render("scripted", deal, entity="deal", language="en")
    assert "script" not in rendered.html and "onclick" not in rendered.html and "<p>Hi</p>" in rendered.html


def test_a_missing_language_falls_back_to_the_instance_default(app, world):
    admin, deal, _template = world
    a_template(app, "english_only", texts={"en": {"subject": "Only English {{ record.title }}", "body": "<p>x</p>"}})
    with app.test_request_context():
        assert render("english_only", deal, entity="deal", language="kk").subject == "Only English Abay 12"


def test_a_template_for_another_entity_is_refused(app, world):
    _admin, deal, _template = world
    a_template(app, "for_people", entity="person", texts={"en": {"subject": "x", "body": "y"}})
    with app.test_request_context(), pytest.raises(ValueError, match="person"):
        render("for_people", deal, entity="deal", language="en")
