"""The admin pages: a template is written, refused whole with the line of its mistake, guarded
against stale edits, previewed against a real record; only those allowed reach them."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from crmkit import db
from crmkit.core.mail_templates.models import MailTemplate
from tests.conftest import csrf_token
from tests.mail_templates.making import BODY, a_deal, a_template


@pytest.fixture
def app(make_app):
    return make_app(DEFAULT_LOCALE="en", SMTP_HOST=None)


@pytest.fixture
def admin(make_user):
    return make_user("admin", name="Dana Admin", locale="en")


def form(client, url="/admin/mail-templates/new", **fields):
    data = {"csrf_token": csrf_token(client, "/admin/mail-templates/new"), "key": "deal_won", "entity": "deal",
            "name": "Deal won", "subject_en": "Won: {{ record.title }}", "body_en": BODY,
            "subject_ru": "Выиграна: {{ record.title }}", "body_ru": BODY}
    data.update(fields)
    return client.post(url, data=data)


def templates(app):
    with app.app_context():
        return list(db.session().execute(select(MailTemplate)).scalars())


def test_an_admin_writes_a_template_and_finds_it_in_the_list(app, admin, client_for):
    client = client_for(admin)
    response = form(client)
    assert response.status_code == 302
    [saved] = templates(app)
    assert (saved.key, saved.entity, sorted(saved.texts)) == ("deal_won", "deal", ["en", "ru"])
    page = client.get("/admin/mail-templates/").get_data(as_text=True)
    assert "Deal won" in page and "deal_won" in page


def test_a_syntax_error_is_refused_with_its_line_and_nothing_is_saved(app, admin, client_for):
    client = client_for(admin)
    response = form(client, body_ru="<p>Hello</p>\n<p>{{ record.title </p>")
    assert response.status_code == 422
    errors = re.search(r'<ul class="errors" id="e-body_ru">(.*?)</ul>', response.get_data(as_text=True), re.S).group(1)
    assert "line 2" in errors
    assert templates(app) == []


def test_an_unknown_field_is_refused_with_its_line(app, admin, client_for):
    response = form(client_for(admin), subject_en="Won: {{ record.titel }}")
    assert response.status_code == 422
    errors = re.search(r'id="e-subject_en">(.*?)</ul>', response.get_data(as_text=True), re.S).group(1)
    assert "titel" in errors and "line 1" in errors


def test_the_default_language_is_required_and_keys_are_unique(app, admin, client_for):
    client = client_for(admin)
    assert form(client, subject_en="", body_en="").status_code == 422
    a_template(app, "deal_won")
    response = form(client)
    assert response.status_code == 422 and "Another template has this key." in response.get_data(as_text=True)


def test_a_stale_edit_is_refused_with_409_keeping_the_text(app, admin, client_for):
    template_id = a_template(app)
    client = client_for(admin)
    url = f"/admin/mail-templates/{template_id}"
    assert form(client, url, version="1", name="First edit").status_code == 302
    response = form(client, url, version="1", name="Second edit from an old form")
    assert response.status_code == 409
    assert "Second edit from an old form" in response.get_data(as_text=True)
    assert templates(app)[0].name == "First edit"


def test_the_preview_renders_the_template_for_a_chosen_record_in_a_chosen_language(app, admin, client_for):
    deal = a_deal(app, admin.email)
    template_id = a_template(app)
    client = client_for(admin)
    empty = client.get(f"/admin/mail-templates/{template_id}/preview")
    assert empty.status_code == 200 and "Choose a record" in empty.get_data(as_text=True)
    page = client.get(f"/admin/mail-templates/{template_id}/preview?record_id={deal}&language=ru").get_data(as_text=True)
    assert '<span class="mail-preview-subject">Сделка Abay 12</span>' in page
    assert "20 марта 2026" in page and "Altyn Kilt LLP" in page


def test_the_preview_finds_a_record_typed_in_the_picker(app, admin, client_for):
    a_deal(app, admin.email)
    template_id = a_template(app)
    page = client_for(admin).get(f"/admin/mail-templates/{template_id}/preview?record_id=&record_id-title=Abay+12&language=en")
    assert "Deal Abay 12 for Dana Admin" in page.get_data(as_text=True)


def test_agents_and_managers_may_not_open_the_pages(app, client_for, make_user):
    template_id = a_template(app)
    for role in ("agent", "manager"):
        client = client_for(make_user(role))
        assert client.get("/admin/mail-templates/").status_code == 403
        assert client.get(f"/admin/mail-templates/{template_id}/preview").status_code == 403


def test_deleting_a_template(app, admin, client_for):
    template_id = a_template(app)
    client = client_for(admin)
    token = csrf_token(client, f"/admin/mail-templates/{template_id}")
    assert client.post(f"/admin/mail-templates/{template_id}/delete", data={"csrf_token": token}).status_code == 302
    assert templates(app) == []
