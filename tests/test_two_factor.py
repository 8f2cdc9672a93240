"""Two-factor login end to end through the pages, with real TOTP codes from pyotp: enrol by QR code,
log in with a code, wrong codes refused and throttled, recovery codes once each, switch off, an
admin's reset, and CRMKIT_REQUIRE_2FA_FOR_ADMINS."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from crmkit import db
from crmkit.core.api.tokens import create_token
from crmkit.core.auth.models import User, UserSession
from tests.conftest import ADMIN_EMAIL, csrf_token, login
from tests.people import PASSWORD, client_as, page, person, post

EMAIL = "agent@example.com"


@pytest.fixture
def app(make_app):
    application = make_app(CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")
    person(application, EMAIL, name="Aigerim")
    return application


def user(app, email=EMAIL) -> User:
    with app.app_context():
        return db.session().execute(select(User).where(User.email == email)).scalar_one()


def code(secret: str, steps_ahead: int = 0) -> str:
    totp = pyotp.TOTP(secret)
    return totp.at(time.time() + steps_ahead * totp.interval)


def enrol(client) -> tuple[str, list[str]]:
    """Scan (read the key from the page), confirm with a code; the secret and the recovery codes."""
    assert post(client, "/account/two-factor/start", {}, "/account/two-factor").status_code == 302
    html = page(client, "/account/two-factor")
    secret = re.search(r'<code class="totp-secret">([A-Z2-7]+)</code>', html).group(1)
    response = post(client, "/account/two-factor/confirm", {"code": code(secret)}, "/account/two-factor")
    assert response.status_code == 200, response.get_data(as_text=True)
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", response.get_data(as_text=True))
    return secret, codes


def password_step(client, email=EMAIL, password=PASSWORD, next_url=None):
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"email": email, "password": password, "csrf_token": csrf_token(client)})


def code_step(client, value):
    return client.post("/login/code", data={"code": value, "csrf_token": csrf_token(client, "/login/code")})


@pytest.fixture
def enrolled(app):
    """The agent with 2FA on: their secret and recovery codes."""
    return enrol(client_as(app, EMAIL))


def test_the_enrolment_page_shows_a_qr_code_as_inline_svg_without_scripts(app):
    agent = client_as(app, EMAIL)
    post(agent, "/account/two-factor/start", {}, "/account/two-factor")
    html = page(agent, "/account/two-factor")
    assert '<svg width="' in html and 'class="segno"' in html
    assert "<script" not in html.split('class="segno"')[1].split("</svg>")[0]
    assert user(app).totp_secret and not user(app).has_two_factor


def test_confirming_with_a_right_code_switches_2fa_on_and_shows_ten_recovery_codes_once(app):
    agent = client_as(app, EMAIL)
    _secret, codes = enrol(agent)
    assert len(set(codes)) == 10
    assert user(app).has_two_factor
    assert not any(c in page(agent, "/account/two-factor") for c in codes)
    assert "Unused recovery codes: 10" in page(agent, "/account/two-factor")


def test_a_wrong_code_does_not_switch_2fa_on(app):
    agent = client_as(app, EMAIL)
    post(agent, "/account/two-factor/start", {}, "/account/two-factor")
    response = post(agent, "/account/two-factor/confirm", {"code": "000000"}, "/account/two-factor")
    assert response.status_code == 422 and "Wrong code" in response.get_data(as_text=True)
    assert not user(app).has_two_factor


def test_with_2fa_the_password_alone_opens_nothing(app, enrolled):
    before = live_sessions(app)
    client = app.test_client()
    response = password_step(client)
    assert response.location == "/login/code"
    assert client.get("/").status_code == 302
    assert client.get("/account/").status_code == 302
    assert live_sessions(app) == before


def live_sessions(app) -> int:
    with app.app_context():
        return len(db.session().execute(select(UserSession.id).where(UserSession.ended_at.is_(None))).all())


def test_logging_in_with_password_and_a_current_code_goes_to_the_page_asked_for(app, enrolled):
    secret, _codes = enrolled
    client = app.test_client()
    password_step(client, next_url="/account/")
    response = code_step(client, code(secret, steps_ahead=1))
    assert response.status_code == 302 and response.location == "/account/"
    assert client.get("/").status_code == 200


def test_a_code_works_only_once(app, enrolled):
    secret, _codes = enrolled
    first, second = app.test_client(), app.test_client()
    password_step(first)
    password_step(second)
    value = code(secret, steps_ahead=1)
    assert code_step(first, value).status_code == 302
    assert code_step(second, value).status_code == 400


def test_a_wrong_code_is_refused_and_the_sixth_attempt_is_throttled(app, enrolled):
    secret, _codes = enrolled
    client = app.test_client()
    password_step(client)
    responses = [code_step(client, "123456") for _ in range(5)]
    assert [r.status_code for r in responses] == [400] * 5
    assert "Wrong code" in responses[0].get_data(as_text=True)
    assert code_step(client, code(secret, steps_ahead=1)).status_code == 429
    assert client.get("/").status_code == 302


def test_a_recovery_code_logs_in_once(app, enrolled):
    _secret, codes = enrolled
    client = app.test_client()
    password_step(client)
    assert code_step(client, codes[3].upper().replace("-", " ")).status_code == 302
    again = app.test_client()
    password_step(again)
    assert code_step(again, codes[3]).status_code == 400
    assert "Unused recovery codes: 9" in page(client, "/account/two-factor")


def test_the_code_step_without_a_right_password_first_goes_back_to_login(app, enrolled):
    client = app.test_client()
    assert client.get("/login/code").location == "/login"
    password_step(client, password="not the password at all")
    assert client.get("/login/code").location == "/login"


def test_switching_off_needs_a_current_code(app, enrolled):
    secret, codes = enrolled
    agent = app.test_client()
    password_step(agent)
    assert code_step(agent, codes[0]).status_code == 302
    response = post(agent, "/account/two-factor/disable", {"code": "000000"}, "/account/two-factor")
    assert response.status_code == 422 and user(app).has_two_factor
    response = post(agent, "/account/two-factor/disable", {"code": code(secret, steps_ahead=1)}, "/account/two-factor")
    assert response.status_code == 302 and not user(app).has_two_factor
    client_as(app, EMAIL)  # the password alone is enough again


def test_guessing_the_code_to_switch_2fa_off_is_throttled(app, enrolled):
    secret, codes = enrolled
    agent = app.test_client()
    password_step(agent)
    assert code_step(agent, codes[0]).status_code == 302
    guesses = [post(agent, "/account/two-factor/disable", {"code": f"00000{n}"}, "/account/two-factor") for n in range(5)]
    assert [r.status_code for r in guesses] == [422] * 5
    response = post(agent, "/account/two-factor/disable", {"code": code(secret, steps_ahead=1)}, "/account/two-factor")
    assert response.status_code == 429 and user(app).has_two_factor


def test_an_admin_can_reset_a_users_2fa(app, admin_client, enrolled):
    agent_id = user(app).id
    assert "Reset two-factor login" in page(admin_client, f"/admin/users/{agent_id}")
    response = post(admin_client, f"/admin/users/{agent_id}/reset-two-factor", {}, f"/admin/users/{agent_id}")
    assert response.status_code == 302
    assert not user(app).has_two_factor and user(app).totp_secret is None
    client_as(app, EMAIL)


def test_an_agent_cannot_reset_anyones_2fa(app, enrolled):
    person(app, "other@example.com")
    other = client_as(app, "other@example.com")
    response = post(other, f"/admin/users/{user(app).id}/reset-two-factor", {})
    assert response.status_code == 403 and user(app).has_two_factor


def test_when_required_an_admin_without_2fa_must_enrol_before_anything_else(make_app):
    app = make_app(CRMKIT_LOCALE="en", DEFAULT_LOCALE="en", REQUIRE_2FA_FOR_ADMINS=1)
    person(app, ADMIN_EMAIL, role="admin")
    admin = app.test_client()
    assert login(admin, ADMIN_EMAIL, PASSWORD).status_code == 302
    assert admin.get("/").location == "/account/two-factor"
    assert admin.get("/admin/users").location == "/account/two-factor"
    secret, _codes = enrol(admin)
    assert admin.get("/admin/users").status_code == 200
    assert secret


def test_when_required_an_admins_api_token_gets_a_403_saying_why_until_they_enrol(make_app):
    app = make_app(CRMKIT_LOCALE="en", DEFAULT_LOCALE="en", REQUIRE_2FA_FOR_ADMINS=1)
    person(app, ADMIN_EMAIL, role="admin")
    with app.app_context():
        _row, token = create_token(db.session(), user(app, ADMIN_EMAIL))
    response = app.test_client().get("/api/v1/lookup?phone=+77011234567", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert response.json["error"]["message"] == "Set up two-factor login on your account page first."


def test_when_required_agents_are_not_forced_to_enrol(make_app):
    app = make_app(CRMKIT_LOCALE="en", DEFAULT_LOCALE="en", REQUIRE_2FA_FOR_ADMINS=1)
    person(app, EMAIL)
    assert client_as(app, EMAIL).get("/").status_code == 200
