"""Posting a web form: JSON or form-encoded, from the sites allowed, each post one lead."""

from __future__ import annotations

from sqlalchemy import func, select

from crmkit import db
from crmkit.core.intake_form.models import IntakeForm
from crmkit.core.leads.models import Lead

SITE = "https://agency.kz"


def leads(app):
    with app.app_context():
        return list(db.session().execute(select(Lead).order_by(Lead.id)).scalars())


def lead_count(app):
    with app.app_context():
        return db.session().execute(select(func.count()).select_from(Lead)).scalar_one()


def test_a_json_post_from_an_allowed_site_makes_a_lead(app, client, make_form):
    token = make_form(allowed_origins=[SITE], thank_you="Рахмет!")
    response = client.post(f"/intake/forms/{token}", json={
        "name": "Айгуль", "phone": "+7 701 123 45 67", "email": "a@b.kz", "request": "2 комнаты",
        "landing_page": f"{SITE}/rent?utm_source=instagram&utm_campaign=dec", "referrer": "https://www.google.com/",
    }, headers={"Origin": SITE})
    assert response.status_code == 201
    assert response.json == {"status": "accepted", "message": "Рахмет!", "redirect": None}
    assert response.headers["Access-Control-Allow-Origin"] == SITE
    [lead] = leads(app)
    assert (lead.channel, lead.name, lead.phones, lead.emails, lead.request) == ("form", "Айгуль", "+7 701 123 45 67", "a@b.kz", "2 комнаты")
    assert (lead.utm_source, lead.utm_campaign, lead.referrer) == ("instagram", "dec", "https://www.google.com/")
    assert lead.landing_page == f"{SITE}/rent?utm_source=instagram&utm_campaign=dec"
    assert lead.raw["form"] == token and lead.status == "new"


def test_a_plain_form_post_goes_to_the_thank_you_page(app, client, make_form):
    token = make_form(allowed_origins=[SITE], thank_you="Спасибо, мы перезвоним")
    response = client.post(f"/intake/forms/{token}", data={"name": "Ерлан", "phone": "87011234567", "utm_source": "krisha"},
                           headers={"Origin": SITE, "Referer": f"{SITE}/contacts"})
    assert response.status_code == 303 and response.location.endswith(f"/intake/forms/{token}/thanks")
    assert "Спасибо, мы перезвоним" in client.get(response.location).get_data(as_text=True)
    [lead] = leads(app)
    assert (lead.name, lead.utm_source, lead.landing_page) == ("Ерлан", "krisha", f"{SITE}/contacts")


def test_a_form_with_a_redirect_sends_the_visitor_there(app, client, make_form):
    token = make_form(redirect_url="https://agency.kz/thanks")
    response = client.post(f"/intake/forms/{token}", data={"phone": "87011234567"})
    assert response.status_code == 303 and response.location == "https://agency.kz/thanks"


def test_the_same_submission_sent_twice_is_one_lead(app, client, make_form):
    token = make_form()
    for _ in range(2):
        assert client.post(f"/intake/forms/{token}", json={"phone": "87011234567", "submission_id": "abc"}).status_code == 201
    assert lead_count(app) == 1


def test_html_in_a_field_is_stored_as_given_and_shown_escaped(app, client, make_form, admin_client):
    token = make_form()
    client.post(f"/intake/forms/{token}", json={"name": "<img src=x onerror=alert(1)>", "phone": "87011234567"})
    [lead] = leads(app)
    assert lead.name == "<img src=x onerror=alert(1)>"
    text = admin_client.get(f"/lead/{lead.id}").get_data(as_text=True)
    assert "<img src=x onerror" not in text and "&lt;img src=x onerror=alert(1)&gt;" in text


def test_a_missing_required_field_is_refused_with_a_message_for_it(app, client, make_form):
    token = make_form(required=["phone", "name"])
    response = client.post(f"/intake/forms/{token}", json={"name": "", "email": "not-an-email"})
    assert response.status_code == 422
    fields = response.json["error"]["fields"]
    assert set(fields) == {"name", "phone", "email"}
    assert lead_count(app) == 0


def test_a_plain_post_with_bad_values_gets_a_page_naming_them(app, client, make_form):
    token = make_form()
    response = client.post(f"/intake/forms/{token}", data={"phone": ""}, headers={"Referer": f"{SITE}/contacts"})
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and "Please fill this in." in text and f'href="{SITE}/contacts"' in text


def test_a_value_that_is_not_text_is_refused(app, client, make_form):
    token = make_form()
    response = client.post(f"/intake/forms/{token}", json={"phone": {"nested": 1}})
    assert response.status_code == 422 and "phone" in response.json["error"]["fields"]


def test_an_unknown_or_archived_form_is_404(app, client, make_form):
    assert client.post("/intake/forms/nope", json={"phone": "87011234567"}).status_code == 404
    token = make_form()
    with app.app_context():
        form = db.session().execute(select(IntakeForm).where(IntakeForm.token == token)).scalar_one()
        form.active = False
        db.session().commit()
    assert client.post(f"/intake/forms/{token}", json={"phone": "87011234567"}).status_code == 404


def test_posts_need_no_csrf_token_but_admin_pages_do(app, make_form, admin_client):
    token = make_form()
    assert admin_client.post(f"/intake/forms/{token}", data={"phone": "87011234567"}).status_code == 303
    assert admin_client.post("/admin/leads/forms/", data={"name": "No token"}).status_code == 400


def test_the_form_answers_in_its_language(app, client, make_form):
    token = make_form(language="ru")
    response = client.post(f"/intake/forms/{token}", json={"phone": ""})
    assert response.json["error"]["fields"]["phone"] == ["Пожалуйста, заполните это поле."]
