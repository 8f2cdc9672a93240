"""A search hit says who it is: the field the query matched, the phone, the organisation, not a
bare name; and never shows what the user may not see."""

from __future__ import annotations

import re

import pytest

from crmkit import db
from crmkit.core.contacts.models import Person

from tests.people import client_as, person
from tests.test_duplicates import create


@pytest.fixture
def app(make_app):
    return make_app(DEFAULT_LOCALE="en")


def hit_of(client, q, title) -> str:
    """The text of the one hit titled ``title`` on the search page for ``q``."""
    page = client.get("/search", query_string={"q": q}).get_data(as_text=True)
    items = re.findall(r"<li><a href=[^>]*>(.*?)</li>", page, re.DOTALL)
    [item] = [i for i in items if i.startswith(title + "</a>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", item)).strip()


def test_a_hit_by_name_shows_the_phone_and_the_organisation(app, admin_client):
    org_id = create(app, "organization", name="Kaspi Bank")
    create(app, "person", name="Aigerim Sadykova", phone="87011234567", organization_id=org_id)
    assert hit_of(admin_client, "aigerim", "Aigerim Sadykova") == "Aigerim Sadykova Phone: +7 701 123 45 67 · Organisation: Kaspi Bank"


def test_a_hit_by_email_shows_the_email_that_matched(app, admin_client):
    create(app, "person", name="Aigerim Sadykova", email="a.sadykova@kaspi.kz")
    assert "Email: a.sadykova@kaspi.kz" in hit_of(admin_client, "sadykova@kaspi", "Aigerim Sadykova")


def test_a_hit_by_another_phone_shows_that_number_and_the_main_one(app, admin_client):
    create(app, "person", name="Aigerim Sadykova", phone="87011234567", other_phones="8 727 250 12 34\n87051112233")
    shown = hit_of(admin_client, "727 250", "Aigerim Sadykova")
    assert shown.startswith("Aigerim Sadykova Other phones: +7 727 250 12 34 · Phone: +7 701 123 45 67")


def test_a_hit_by_a_long_text_shows_the_words_around_the_match(app, admin_client):
    description = "Long history. " * 10 + "Prefers calls after lunch about the Almaty office lease. " + "More notes. " * 10
    create(app, "organization", name="Kaspi Bank", legal_name=description[:300])
    shown = hit_of(admin_client, "almaty office", "Kaspi Bank")
    assert "Almaty office" in shown and "…" in shown and len(shown) < 200


def test_an_organisation_the_user_cannot_see_is_not_named(app, admin_client):
    agent_id = person(app, "agent@example.com", role="agent", name="Agent")
    org_id = create(app, "organization", name="Hidden Holding")  # the admin's: an agent sees only their own
    person_id = create(app, "person", name="Aigerim Sadykova", organization_id=org_id)
    with app.app_context():  # handed over to the agent, the organisation kept by the admin
        session = db.session()
        session.get(Person, person_id).owner_id = agent_id
        session.commit()
    shown = hit_of(client_as(app, "agent@example.com"), "aigerim", "Aigerim Sadykova")
    assert "Hidden Holding" not in shown and "Organisation" not in shown
