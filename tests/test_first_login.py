"""The first login with a password someone else chose: the first admin's one-time password and an
admin's temporary one. The user sets a real email and a password of their own before anything else."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crmkit import db
from crmkit.cli import ensure_admin
from crmkit.core.audit.models import AuditEntry
from crmkit.core.auth.models import User
from crmkit.core.auth.service import find_user
from tests.conftest import add_user, csrf_token, login
from tests.people import PASSWORD, client_as, page, post

GIVEN = "a one-time password 4x7"
OWN = "tulips along the river bank"


@pytest.fixture
def app(make_app):
    return make_app(CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")


def newcomer(app, email="admin@example.com", **fields) -> str:
    add_user(app, email, GIVEN, name="Aigerim Sadykova", is_admin=True, must_change_password=True, **fields)
    client = app.test_client()
    assert login(client, email, GIVEN).status_code == 302
    return client


def choose(client, email="aigerim@agency.kz", password=OWN, confirm=None):
    return post(client, "/login/first", {"email": email, "password": password,
                                         "confirm": password if confirm is None else confirm}, "/login/first")


def stored(app, user_id=1) -> User:
    with app.app_context():
        return db.session().get(User, user_id)


def test_the_generated_first_admin_must_choose_a_password_and_a_given_one_need_not(app, make_app):
    ensure_admin(app, None, None, interactive=False)
    assert stored(app).email == "admin@example.com" and stored(app).must_change_password
    other = make_app(CRMKIT_LOCALE="en")
    with other.app_context():
        db.session().execute(User.__table__.delete())
        db.session().commit()
    ensure_admin(other, "owner@agency.kz", "a long admin passphrase", interactive=False)
    with other.app_context():
        assert not find_user(db.session(), "owner@agency.kz").must_change_password


@pytest.mark.parametrize("url", ["/", "/admin/users", "/account/", "/admin/audit/"])
def test_every_page_sends_the_newcomer_to_the_first_login_page(app, url):
    response = newcomer(app).get(url)
    assert response.status_code == 302 and response.location.endswith("/login/first")


def test_the_page_asks_for_a_real_email_and_a_new_password_twice(app):
    html = page(newcomer(app), "/login/first")
    assert 'name="email"' in html and 'value="admin@example.com"' not in html
    assert 'name="password"' in html and 'name="confirm"' in html


def test_logout_and_the_language_switch_stay_open(app):
    client = newcomer(app)
    switched = client.post("/-/language", data={"language": "ru", "next": "/login/first",
                                                "csrf_token": csrf_token(client, "/login/first")})
    assert switched.location.endswith("/login/first")
    assert "Укажите свою почту и пароль" in page(client, "/login/first")
    assert post(client, "/logout", {}, "/login/first").location.endswith("/login")
    assert client.get("/login/first").location.startswith("/login?")


@pytest.mark.parametrize("email", ["me@example.com", "me@example.org", "me@mail.example.net", "me@office.test",
                                   "me@host.invalid", "root@localhost", "me@crm.localhost"])
def test_an_address_that_reaches_no_one_is_refused(app, email):
    response = choose(newcomer(app), email=email)
    assert response.status_code == 400 and "This address reaches no one" in response.get_data(as_text=True)
    assert stored(app).must_change_password


def test_the_password_follows_the_policy(app):
    response = choose(newcomer(app), password="password1234")
    assert response.status_code == 400 and "most common" in response.get_data(as_text=True)


def test_the_given_password_is_not_accepted_as_the_new_one(app):
    response = choose(newcomer(app), password=GIVEN)
    assert response.status_code == 400 and "other than the one you were given" in response.get_data(as_text=True)


def test_the_two_passwords_must_match(app):
    response = choose(newcomer(app), confirm=OWN + "!")
    assert response.status_code == 400 and "The two passwords differ." in response.get_data(as_text=True)


def test_an_address_of_another_user_is_refused(app):
    add_user(app, "taken@agency.kz", PASSWORD)
    response = choose(newcomer(app), email="taken@agency.kz")
    assert response.status_code == 400 and "already exists" in response.get_data(as_text=True)


def test_once_chosen_the_email_and_password_are_the_login_and_every_page_opens(app):
    client = newcomer(app)
    response = choose(client, email=" Aigerim@Agency.KZ ")
    assert response.status_code == 302 and response.location.endswith("/")
    assert client.get("/admin/users").status_code == 200
    user = stored(app)
    assert (user.email, user.must_change_password) == ("aigerim@agency.kz", False)
    assert login(app.test_client(), "admin@example.com", GIVEN).status_code == 400
    assert login(app.test_client(), "aigerim@agency.kz", OWN).status_code == 302


def test_the_change_is_in_the_audit_log(app):
    choose(newcomer(app))
    with app.app_context():
        rows = db.session().execute(select(AuditEntry.action, AuditEntry.detail).order_by(AuditEntry.id)).all()
    assert ("user_changed", {"target": "aigerim@agency.kz", "changes": {"email": ["admin@example.com", "aigerim@agency.kz"]}}) in rows
    assert rows[-1] == ("password_changed", {"target": "aigerim@agency.kz"})


def test_other_sessions_of_the_user_end_and_this_one_goes_on(app):
    other_browser = newcomer(app)
    client = app.test_client()
    login(client, "admin@example.com", GIVEN)
    choose(client)
    assert client.get("/admin/users").status_code == 200
    assert other_browser.get("/admin/users").location.startswith("/login?")


def test_a_real_address_is_kept_when_the_user_leaves_it(app):
    client = newcomer(app, email="aigerim@agency.kz")
    assert 'value="aigerim@agency.kz"' in page(client, "/login/first")
    assert choose(client, email="aigerim@agency.kz").status_code == 302
    assert stored(app).email == "aigerim@agency.kz"


def test_api_tokens_of_the_newcomer_still_work(app, api_client):
    add_user(app, "admin@example.com", GIVEN, is_admin=True, must_change_password=True)
    with app.app_context():
        user = find_user(db.session(), "admin@example.com")
    assert api_client(user).get("/api/v1/person").status_code == 200


def test_the_api_refuses_the_newcomers_browser_session(app):
    response = newcomer(app).get("/api/v1/person")
    assert response.status_code == 403 and "Choose your own password first" in response.get_json()["error"]["message"]


def test_a_user_who_chose_their_password_is_sent_home_from_the_page(app, admin_client):
    response = admin_client.get("/login/first")
    assert response.status_code == 302 and response.location.endswith("/")


def test_a_user_an_admin_creates_must_change_the_temporary_password(app, admin_client):
    response = post(admin_client, "/admin/users/new", {"email": "dana@agency.kz", "name": "Dana", "role": "agent",
                                                       "is_active": "y", "password": GIVEN})
    assert response.status_code == 302
    dana = app.test_client()
    login(dana, "dana@agency.kz", GIVEN)
    assert dana.get("/").location.endswith("/login/first")


def test_a_password_an_admin_sets_is_temporary_too(app, admin_client):
    user_id = add_user(app, "dana@agency.kz", PASSWORD, name="Dana").id
    response = post(admin_client, f"/admin/users/{user_id}", {"name": "Dana", "role": "agent", "is_active": "y",
                                                              "password": GIVEN})
    assert response.status_code == 302 and stored(app, user_id).must_change_password
    assert client_as(app, "dana@agency.kz", GIVEN).get("/").location.endswith("/login/first")


def test_with_two_factor_required_the_password_comes_first_then_enrolment(make_app):
    app = make_app(CRMKIT_LOCALE="en", DEFAULT_LOCALE="en", REQUIRE_2FA_FOR_ADMINS=True)
    client = newcomer(app)
    assert client.get("/").location.endswith("/login/first")
    assert choose(client).status_code == 302
    assert client.get("/").location.endswith("/account/two-factor")
