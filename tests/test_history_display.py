"""A record's history reads as the page does: a linked record by its name, a choice by its label,
a time in the user's zone and format, and no Python mapping (the phones as typed)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from crmkit import db
from crmkit.core.auth.models import User
from crmkit.entities.service import Records
from tests.conftest import ADMIN_EMAIL
from tests.test_duplicates import create


@pytest.fixture
def app(make_app):
    return make_app(DEFAULT_LOCALE="en")


def update(app, key, record_id, **values):
    with app.test_request_context():
        session = db.session()
        user = session.execute(select(User).where(User.email == ADMIN_EMAIL)).scalar_one()
        records = Records(app.extensions["crmkit"].entities.get(key), user, session)
        record = records.get(record_id)
        records.update(record, values, record.version)


def history(client, url) -> str:
    """The text of the page's history list."""
    page = client.get(url).get_data(as_text=True)
    found = re.search(r'<ol class="history">(.*?)</ol>', page, re.DOTALL)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1)))


def test_a_changed_head_organisation_is_named(app, admin_client):
    head = create(app, "organization", name="Kaspi Group")
    branch = create(app, "organization", name="Kaspi Almaty")
    update(app, "organization", branch, parent_id=head)
    assert "Head organisation: — → Kaspi Group" in history(admin_client, f"/organization/{branch}")


def test_a_changed_choice_shows_its_label(app, admin_client):
    org_id = create(app, "organization", name="Kaspi", industry="finance")
    update(app, "organization", org_id, industry="it")
    assert "Industry: Finance and insurance → IT and telecom" in history(admin_client, f"/organization/{org_id}")


def test_the_phones_as_typed_mapping_is_not_in_the_history(app, admin_client):
    person_id = create(app, "person", name="Aigerim", phone="8 701 123 45 67")
    update(app, "person", person_id, phone="8 727 250 12 34")
    shown = history(admin_client, f"/person/{person_id}")
    assert "Phone: +7 701 123 45 67 → +7 727 250 12 34" in shown
    assert "{" not in shown and "as typed" not in shown


def test_a_changed_time_is_shown_in_the_users_zone_and_format(app, admin_client):
    with app.app_context():
        session = db.session()
        session.execute(select(User).where(User.email == ADMIN_EMAIL)).scalar_one().timezone = "Asia/Almaty"
        session.commit()
    person_id = create(app, "person", name="Aigerim")
    activity = create(app, "activity", kind="task", subject="Call back", about_entity="person", about_id=person_id,
                      happened_at=datetime(2026, 12, 7, 5, 0, tzinfo=UTC))
    update(app, "activity", activity, happened_at=datetime(2026, 12, 8, 4, 30, tzinfo=UTC))
    shown = history(admin_client, f"/activity/{activity}")
    assert "12/7/26, 10:00" in shown and "12/8/26, 9:30" in shown  # UTC+5
    assert "T05:00" not in shown and "+00:00" not in shown


def test_the_timeline_shows_changes_as_the_history_does(app, admin_client):
    person_id = create(app, "person", name="Aigerim", phone="8 701 123 45 67", segment="a")
    update(app, "person", person_id, phone="8 727 250 12 34", segment="b")
    page = admin_client.get(f"/timeline/person/{person_id}").get_data(as_text=True)
    details = " ".join(re.sub(r"<[^>]+>", " ", d) for d in re.findall(r'<dl class="tl-details">(.*?)</dl>', page, re.DOTALL)).replace("\xa0", " ")
    assert "+7 701 123 45 67 → +7 727 250 12 34" in details
    assert "+77" not in details and "{" not in details and " a → b" not in details
