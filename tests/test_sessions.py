"""Server-side sessions: logout ends the session even for a copied cookie (defect 5), the account
page lists one's sessions and ends one or all others, a new password ends the others."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from crmkit import db
from crmkit.core.auth.models import UserSession
from crmkit.db import utcnow
from tests.conftest import csrf_token
from tests.people import PASSWORD, client_as, page, person, post

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
PHONE = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36"


@pytest.fixture
def app(make_app):
    application = make_app(CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")
    person(application, "agent@example.com", name="Aigerim")
    return application


def browser(app, user_agent=FIREFOX, ip="10.0.0.5"):
    client = app.test_client()
    client.environ_base.update(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=ip)
    return client


def logged_in(app, user_agent=FIREFOX, ip="10.0.0.5"):
    client = browser(app, user_agent, ip)
    response = client.post("/login", data={"email": "agent@example.com", "password": PASSWORD, "csrf_token": csrf_token(client)})
    assert response.status_code == 302
    return client


def copy_of(app, client):
    """Another client holding the same session cookie, as a thief who copied it would."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def rows(app) -> list[UserSession]:
    with app.app_context():
        return list(db.session().execute(select(UserSession).order_by(UserSession.id)).scalars())


def session_ids(html: str) -> list[str]:
    import re

    return re.findall(r'action="/account/sessions/(\d+)/end"', html)


def test_logout_ends_the_session_for_a_copied_cookie_too(app):
    agent = logged_in(app)
    thief = copy_of(app, agent)
    assert thief.get("/").status_code == 200
    assert post(agent, "/logout", {}).status_code == 302
    assert thief.get("/").status_code == 302
    assert thief.get("/account/").status_code == 302
    assert rows(app)[0].ended_at is not None


def test_logging_in_records_the_browser_and_stores_only_a_hash_of_the_token(app):
    agent = logged_in(app, ip="10.1.2.3")
    (row,) = rows(app)
    cookie_token = None
    with agent.session_transaction() as flask_session:
        cookie_token = flask_session["_user_id"].partition(":")[2]
    assert (row.ip, row.user_agent, row.ended_at) == ("10.1.2.3", FIREFOX, None)
    assert len(row.token_hash) == 64 and cookie_token and cookie_token not in row.token_hash


def test_the_account_page_lists_my_live_sessions_with_device_ip_and_marks_this_one(app):
    logged_in(app, PHONE, "10.0.0.7")
    agent = logged_in(app)
    html = page(agent, "/account/")
    assert "Firefox, Windows" in html and "Chrome, Android" in html and "10.0.0.7" in html
    assert html.count("(this browser)") == 1 and len(session_ids(html)) == 2


def test_ending_another_session_logs_that_browser_out_and_keeps_mine(app):
    phone = logged_in(app, PHONE)
    agent = logged_in(app)
    phone_id = str(rows(app)[0].id)
    assert post(agent, f"/account/sessions/{phone_id}/end", {}, "/account/").status_code == 302
    assert phone.get("/").status_code == 302
    assert agent.get("/").status_code == 200
    assert phone_id not in session_ids(page(agent, "/account/"))


def test_ending_this_browsers_session_is_a_logout(app):
    agent = logged_in(app)
    own = str(rows(app)[0].id)
    response = post(agent, f"/account/sessions/{own}/end", {}, "/account/")
    assert response.location == "/login"
    assert agent.get("/").status_code == 302


def test_nobody_can_end_another_users_session(app, admin_client):
    logged_in(app)
    agent_session = rows(app)[-1].id
    assert post(admin_client, f"/account/sessions/{agent_session}/end", {}, "/account/").status_code == 404
    assert rows(app)[-1].ended_at is None


def test_end_all_other_sessions_keeps_only_this_one(app):
    others = [logged_in(app, PHONE), logged_in(app, ip="10.0.0.9")]
    agent = logged_in(app)
    assert post(agent, "/account/sessions/end-others", {}, "/account/").status_code == 302
    assert [other.get("/").status_code for other in others] == [302, 302]
    assert agent.get("/").status_code == 200
    assert len(session_ids(page(agent, "/account/"))) == 1


def test_a_new_password_ends_every_other_session_and_keeps_this_one(app):
    other = logged_in(app, PHONE)
    agent = logged_in(app)
    thief = copy_of(app, other)
    data = {"current_password": PASSWORD, "new_password": "a brand new passphrase"}
    assert post(agent, "/account/password", data, "/account/").status_code == 302
    assert (other.get("/").status_code, thief.get("/").status_code, agent.get("/").status_code) == (302, 302, 200)


def test_the_last_seen_time_is_written_at_most_once_a_minute(app):
    agent = logged_in(app)
    first_seen = rows(app)[0].last_seen_at
    agent.get("/")
    assert rows(app)[0].last_seen_at == first_seen
    with app.app_context():
        db.session().execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=2)))
        db.session().commit()
    agent.get("/")
    assert rows(app)[0].last_seen_at > utcnow() - timedelta(seconds=30)


def test_a_session_idle_longer_than_the_limit_has_ended(app):
    agent = logged_in(app)
    with app.app_context():
        db.session().execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(days=15)))
        db.session().commit()
    assert agent.get("/").status_code == 302


def test_a_cookie_with_another_users_id_and_a_valid_token_is_refused(app, admin_client):
    agent = logged_in(app)
    with agent.session_transaction() as flask_session:
        ident, _, token = flask_session["_user_id"].partition(":")
        flask_session["_user_id"] = f"{int(ident) - 1 or 2}:{token}"
    assert agent.get("/").status_code == 302
