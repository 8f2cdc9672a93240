"""What keeps a public form from abuse: the honeypot, the rate limit, CORS, and bad bodies that
get a clear error instead of a 500."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from crmkit import db
from crmkit.core.intake_form.models import IntakeForm
from crmkit.core.leads.models import Lead

SITE = "https://agency.kz"


@pytest.fixture
def app(make_app):
    return make_app(INTAKE_FORM_RATE_LIMIT="3 per minute", INTAKE_FORM_MAX_BYTES=4096)


def lead_count(app):
    with app.app_context():
        return db.session().execute(select(func.count()).select_from(Lead)).scalar_one()


def honeypot_count(app, token):
    with app.app_context():
        return db.session().execute(select(IntakeForm.honeypot_count).where(IntakeForm.token == token)).scalar_one()


def test_a_filled_honeypot_is_answered_as_accepted_stored_nowhere_and_counted(app, client, make_form):
    token = make_form(thank_you="Thanks")
    response = client.post(f"/intake/forms/{token}", json={"phone": "87011234567", "website": "http://spam.example"})
    assert response.status_code == 201 and response.json["message"] == "Thanks"
    plain = client.post(f"/intake/forms/{token}", data={"phone": "87011234567", "website": "x"})
    assert plain.status_code == 303
    assert lead_count(app) == 0 and honeypot_count(app, token) == 2


def test_too_many_posts_from_one_address_get_429(app, client, make_form):
    token = make_form()
    answers = [client.post(f"/intake/forms/{token}", json={"phone": "87011234567"}).status_code for _ in range(4)]
    assert answers == [201, 201, 201, 429]
    other = client.post(f"/intake/forms/{token}", json={"phone": "87011234567"}, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 201
    assert lead_count(app) == 4


def test_a_preflight_from_an_allowed_site_is_answered_for_it(app, client, make_form):
    token = make_form(allowed_origins=[SITE])
    response = client.options(f"/intake/forms/{token}", headers={
        "Origin": SITE, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == SITE
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]


def test_another_site_is_refused_at_preflight_and_post(app, client, make_form):
    token = make_form(allowed_origins=[SITE])
    preflight = client.options(f"/intake/forms/{token}", headers={"Origin": "https://evil.example",
                                                                  "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 403 and "Access-Control-Allow-Origin" not in preflight.headers
    post = client.post(f"/intake/forms/{token}", json={"phone": "87011234567"}, headers={"Origin": "https://evil.example"})
    assert post.status_code == 403 and "Access-Control-Allow-Origin" not in post.headers
    assert lead_count(app) == 0


def test_an_oversized_body_is_413(app, client, make_form):
    token = make_form()
    response = client.post(f"/intake/forms/{token}", json={"phone": "87011234567", "request": "x" * 5000})
    assert response.status_code == 413 and "at most 4 KB" in response.json["error"]["fields"]["_body"][0]
    plain = client.post(f"/intake/forms/{token}", data={"phone": "87011234567", "request": "x" * 5000})
    assert plain.status_code == 413
    assert lead_count(app) == 0


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'"text"', b'{"phone": "\xff\xfe"}'])
def test_a_malformed_json_body_is_400_with_a_message(app, client, make_form, body):
    token = make_form()
    response = client.post(f"/intake/forms/{token}", data=body, content_type="application/json")
    assert response.status_code == 400 and response.json["error"]["fields"]["_body"]


def test_broken_encodings_nul_and_lone_surrogates_are_stored_without_a_500(app, client, make_form):
    token = make_form()
    form = client.post(f"/intake/forms/{token}", data=b"phone=87011234567&name=%FF%FEabc%00",
                       content_type="application/x-www-form-urlencoded")
    assert form.status_code == 303
    escaped = client.post(f"/intake/forms/{token}", data=b'{"phone": "87011234567", "name": "a\\ud800b\\u0000"}',
                          content_type="application/json")
    assert escaped.status_code == 201
    with app.app_context():
        names = list(db.session().execute(select(Lead.name).order_by(Lead.id)).scalars())
    assert names[0].endswith("abc\ufffd") and names[1].startswith("a") and "\x00" not in names[1]
