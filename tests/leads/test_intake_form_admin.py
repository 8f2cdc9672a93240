"""Admins make web forms: which fields, which sites, what the visitor sees after; and get the
snippet to paste."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from crmkit import db
from crmkit.core.intake_form.models import IntakeForm
from crmkit.core.leads.models import SourceMatch
from tests.people import page, post

URL = "/admin/leads/forms/"


@pytest.fixture
def app(make_app):
    """Pages in English, whatever the deployment's default language."""
    return make_app(DEFAULT_LOCALE="en")


def the_form(app, name):
    with app.app_context():
        return db.session().execute(select(IntakeForm).where(IntakeForm.name == name)).scalar_one_or_none()


def test_an_admin_makes_a_form_and_gets_both_snippets(app, admin_client, make_source):
    site = make_source("site", {"en": "Our site"})
    response = post(admin_client, URL, {
        "name": "Rent", "language": "ru", "fields": ["name", "phone", "request"], "required": ["phone"],
        "allowed_origins": "https://agency.kz/\nhttps://www.agency.kz", "thank_you": "Спасибо!",
        "source_id": str(site), "active": "on",
    })
    assert response.status_code == 302
    form = the_form(app, "Rent")
    assert form.allowed_origins == ["https://agency.kz", "https://www.agency.kz"] and form.required == ["phone"]
    text = page(admin_client, response.location)
    snippets = re.findall(r'<textarea readonly[^>]*id="snippet-(\w+)">(.*?)</textarea>', text, re.S)
    assert [name for name, _ in snippets] == ["plain", "script"]
    for _name, snippet in snippets:
        assert f"/intake/forms/{form.token}" in snippet and "&lt;form" in snippet  # shown as text, escaped
        assert "Телефон" in snippet or "Phone" in snippet
    assert "fetch(" in snippets[1][1] and "fetch(" not in snippets[0][1]
    with app.app_context():
        match = db.session().execute(select(SourceMatch).where(SourceMatch.kind == "form")).scalar_one()
        assert (match.value, match.source_id) == (form.token.lower(), site)


def test_a_form_must_ask_for_a_way_to_answer(app, admin_client):
    response = post(admin_client, URL, {"name": "Bad", "language": "en", "fields": ["name", "request"]})
    assert response.status_code == 422 and "Ask for a phone or an email" in response.get_data(as_text=True)
    assert the_form(app, "Bad") is None


def test_bad_sites_and_redirects_are_refused_with_what_was_typed(app, admin_client):
    response = post(admin_client, URL, {"name": "Typed", "language": "en", "fields": ["phone"],
                                        "allowed_origins": "agency", "redirect_url": "javascript:alert(1)"})
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and "Not a site address: agency" in text and "starting with https://" in text
    assert 'value="Typed"' in text


def test_archiving_a_form_stops_it(app, admin_client, make_form, client):
    token = make_form()
    form_id = the_form(app, "Site form").id
    post(admin_client, f"{URL}{form_id}/archive", {"action": "archive"})
    assert client.post(f"/intake/forms/{token}", json={"phone": "87011234567"}).status_code == 404


def test_agents_may_not_make_forms(app, client_for):
    assert client_for("agent").get(URL).status_code == 403
