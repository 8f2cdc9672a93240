"""The sources page: admins name sources per language and say which values point to each."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crmkit import db
from crmkit.core.leads.models import Source, SourceMatch
from crmkit.core.leads.sources import detect
from tests.people import page, post

URL = "/admin/leads/sources"


@pytest.fixture
def app(make_app):
    """Pages in English, whatever the deployment's default language."""
    return make_app(DEFAULT_LOCALE="en")


def source_row(app, key):
    with app.app_context():
        source = db.session().execute(select(Source).where(Source.key == key)).scalar_one_or_none()
        if source is None:
            return None, {}
        rows = db.session().execute(select(SourceMatch).where(SourceMatch.source_id == source.id)).scalars()
        return source, {(row.kind, row.value) for row in rows}


def test_an_admin_adds_a_source_with_names_and_match_values(app, admin_client):
    response = post(admin_client, URL, {
        "key": "krisha", "name_ru": "Крыша", "name_kk": "Krisha.kz", "name_en": "Krisha", "active": "on",
        "utm_source": "krisha\nKrisha_KZ", "referrer_host": "https://www.krisha.kz/a/show/1", "number": "+7 (727) 000-00-00",
    })
    assert response.status_code == 302
    source, matches = source_row(app, "krisha")
    assert source.names == {"ru": "Крыша", "kk": "Krisha.kz", "en": "Krisha"} and source.active
    assert matches == {("utm_source", "krisha"), ("utm_source", "krisha_kz"), ("referrer_host", "krisha.kz"),
                       ("number", "+77270000000")}
    with app.app_context():
        assert detect({"utm_source": "KRISHA_kz"}) == source.id
    assert "Krisha" in page(admin_client, URL)


def test_a_value_pointing_to_another_source_is_refused_and_nothing_is_saved(app, admin_client):
    post(admin_client, URL, {"key": "olx", "name_en": "OLX", "utm_source": "olx", "active": "on"})
    response = post(admin_client, URL, {"key": "olx2", "name_en": "OLX again", "utm_source": "olx"})
    assert response.status_code == 422
    assert "already points to" in response.get_data(as_text=True)
    assert source_row(app, "olx2")[0] is None


def test_a_source_needs_a_key_and_a_name(app, admin_client):
    response = post(admin_client, URL, {"key": "Bad Key", "name_en": ""})
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and "lower-case Latin letters" in text and "at least one language" in text


def test_editing_a_source_replaces_its_values_and_renames_it(app, admin_client):
    post(admin_client, URL, {"key": "site", "name_en": "Site", "utm_source": "site", "active": "on"})
    source, _ = source_row(app, "site")
    response = post(admin_client, f"{URL}/{source.id}", {"key": "site", "name_ru": "Сайт", "utm_source": "website"})
    assert response.status_code == 302
    source, matches = source_row(app, "site")
    assert source.names == {"ru": "Сайт"} and not source.active and matches == {("utm_source", "website")}


def test_agents_and_managers_may_not_set_up_sources(app, client_for):
    for role in ("agent", "manager"):
        client = client_for(role)
        assert client.get(URL).status_code == 403
        assert client.get("/admin/leads/").status_code == 403


def test_the_channels_page_lists_the_declared_channels(app, admin_client):
    text = page(admin_client, "/admin/leads/")
    assert "Entered by hand" in text and "<code>manual</code>" in text
