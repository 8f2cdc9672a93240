"""/account: every user's own name, language, time zone and password."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from crmkit import db
from crmkit.core.auth.models import User
from tests.conftest import login
from tests.people import PASSWORD, client_as, page, person, post

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def app(make_app):
    return make_app(CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")


@pytest.fixture
def agent(app):
    person(app, "agent@example.com", name="Aigerim")
    return client_as(app, "agent@example.com")


def me(app) -> User:
    with app.app_context():
        return db.session().execute(select(User).where(User.email == "agent@example.com")).scalar_one()


def test_the_user_menu_in_the_top_bar_is_named_after_the_user_and_opens_the_account_page(agent):
    menu = re.search(r'<details class="nav-menu user-menu">.*?</details>', page(agent, "/"), re.S).group(0)
    assert '<summary class="user" title="Aigerim">Aigerim</summary>' in menu and 'href="/account/"' in menu


def test_the_account_page_is_open_to_every_logged_in_user(agent):
    assert "agent@example.com" in page(agent, "/account/")


def test_saving_the_profile_changes_name_language_and_time_zone(app, agent):
    response = post(agent, "/account/profile", {"name": "Aigerim S.", "locale": "kk", "timezone": "Asia/Aqtobe"})
    assert response.status_code == 302
    user = me(app)
    assert (user.name, user.locale, user.timezone) == ("Aigerim S.", "kk", "Asia/Aqtobe")


def test_the_chosen_language_is_used_on_the_next_page(app, agent):
    post(agent, "/account/profile", {"name": "Aigerim", "locale": "ru", "timezone": ""})
    assert 'lang="ru"' in page(agent, "/account/")


def test_an_unknown_time_zone_is_refused_under_its_field(app, agent):
    response = post(agent, "/account/profile", {"name": "Aigerim", "locale": "", "timezone": "Asia/Atlantis"})
    assert response.status_code == 422
    assert "Unknown time zone" in response.get_data(as_text=True)
    assert me(app).timezone is None


def test_a_language_crmkit_does_not_speak_is_refused(app, agent):
    assert post(agent, "/account/profile", {"name": "Aigerim", "locale": "fr", "timezone": ""}).status_code == 422


def test_changing_the_password_needs_the_current_one(app, agent):
    response = post(agent, "/account/password", {"current_password": "a wrong guess", "new_password": NEW_PASSWORD})
    assert response.status_code == 422
    assert "current password is wrong" in response.get_data(as_text=True)
    assert login(app.test_client(), "agent@example.com", NEW_PASSWORD).status_code == 400


def test_a_new_password_must_meet_the_policy(app, agent):
    response = post(agent, "/account/password", {"current_password": PASSWORD, "new_password": "short"})
    assert response.status_code == 422 and "at least 12 characters" in response.get_data(as_text=True)


def test_a_new_password_ends_other_sessions_and_keeps_this_one(app, agent):
    other_browser = client_as(app, "agent@example.com")
    response = post(agent, "/account/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert response.status_code == 302
    assert agent.get("/").status_code == 200
    assert other_browser.get("/").status_code == 302
    client_as(app, "agent@example.com", NEW_PASSWORD)
