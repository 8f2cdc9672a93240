"""A busy inbox: unread notifications are counted up to 100, which the bell shows as "99+" and the
page as "more than 99", so the count on every page costs the same at 20,000 unread as at 100."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import insert

from crmkit import db
from crmkit.core.notifications.models import Notification
from tests.notifications.test_notify import bell_count


@pytest.fixture
def app(make_app):
    return make_app(DEFAULT_LOCALE="en", JOBS_IMMEDIATE=True, SMTP_HOST=None)


def unread(app, user, how_many: int) -> None:
    """``how_many`` unread notifications for ``user``, in one INSERT."""
    now = datetime.now(UTC)
    with app.app_context():
        db.session().execute(insert(Notification.__table__), [
            {"user_id": user.id, "kind": "general", "title": f"Deal {n} moved", "created_at": now} for n in range(how_many)])
        db.session().commit()


def test_a_hundred_and_fifty_unread_read_as_more_than_ninety_nine(app, make_user, client_for):
    reader = make_user("agent")
    unread(app, reader, 150)
    client = client_for(reader)

    assert client.get("/notifications/count").get_json() == {"unread": 100}
    assert bell_count(client.get("/").get_data(as_text=True)) == "99+"
    assert "More than 99 unread" in client.get("/notifications/").get_data(as_text=True)


def test_ninety_nine_unread_are_counted_exactly(app, make_user, client_for):
    reader = make_user("agent")
    unread(app, reader, 99)
    client = client_for(reader)

    assert client.get("/notifications/count").get_json() == {"unread": 99}
    assert bell_count(client.get("/").get_data(as_text=True)) == "99"
    assert "99 unread" in client.get("/notifications/").get_data(as_text=True)
