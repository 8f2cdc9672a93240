"""Plugins act on phone numbers and on every page through two hooks: ``phone_actions`` puts
their buttons beside every phone a record's page shows, ``page_fragments`` adds their templates
to the end of every page. This module is such a plugin.
"""

from __future__ import annotations

import re
import sys

import pytest
from flask import url_for

from crmkit import Action, api, hookimpl

TEMPLATE = "phone_actions_test/fragment.html"


@hookimpl
def phone_actions(entity, record, user):
    return [Action("Dial", url_for("home.index", about=f"{entity.key}:{record.id}"), method="post"),
            Action("Text", "/sms?from=page", order=200)]


@hookimpl
def page_fragments(user):
    return [TEMPLATE] if user.is_authenticated else []


@pytest.fixture
def app(make_app, instance_path):
    folder = instance_path / "templates" / "phone_actions_test"  # a deployment's templates come first
    folder.mkdir(parents=True)
    (folder / "fragment.html").write_text('<div id="fragment-for">{{ current_user.email }}</div>', encoding="utf-8")
    return make_app(plugins=[sys.modules[__name__]], DEFAULT_LOCALE="en")


def create(app, entity_key, user, **values):
    with app.test_request_context():
        return api.Records(entity_key, api.find_user(id=user.id)).create(values).id


def test_hook_phone_actions(app, client_for, make_user):
    agent = make_user("agent")
    person = create(app, "person", agent, name="Dana", phone="+77011234567", other_phones="+77021112233")
    page = client_for(agent).get(f"/person/{person}").get_data(as_text=True)
    assert 'href="tel:+77011234567"' in page and 'href="tel:+77021112233"' in page
    assert page.count('name="phone" value="+77011234567"') == 1 and page.count('name="phone" value="+77021112233"') == 1
    assert f"about=person:{person}" in page or f"about=person%3A{person}" in page
    assert "/sms?from=page&amp;phone=%2B77011234567" in page


def test_a_leads_phones_as_typed_get_the_actions_and_text_that_is_no_number_is_left_alone(app, client_for, make_user):
    agent = make_user("agent")
    lead = create(app, "lead", agent, name="Walk-in", phones="8 701 123 45 67, ask reception")
    page = client_for(agent).get(f"/lead/{lead}").get_data(as_text=True)
    assert 'name="phone" value="+77011234567"' in page
    assert "ask reception" in page and 'tel:ask' not in page


def test_hook_page_fragments(app, client_for, make_user):
    agent = make_user("agent", email="aigul@example.kz")
    assert '<div id="fragment-for">aigul@example.kz</div>' in client_for(agent).get("/").get_data(as_text=True)


def test_without_phone_actions_a_phone_is_shown_as_before(make_app, client_for, make_user):
    app = make_app(DEFAULT_LOCALE="en")
    agent = make_user("agent", app=app)
    person = create(app, "person", agent, name="Dana", phone="+77011234567")
    page = client_for(agent, app=app).get(f"/person/{person}").get_data(as_text=True)
    assert "phone-list" not in page and 'href="tel:' not in page
    assert re.search(r"\+7\W701\W123\W?45\W?67", page)  # pretty-printed, as before
