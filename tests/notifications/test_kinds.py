"""The notification_kinds hook: a plugin's kinds are accepted by notify and listed in each user's
settings, with their email default."""

from __future__ import annotations

import pytest

from crmkit import api, db, hookimpl
from crmkit.core.notifications import service
from crmkit.core.notifications.kinds import known
from crmkit.i18n import lazy_gettext as _l
from tests.hooking import plugin


@hookimpl
def notification_kinds():
    return [api.NotificationKind("tickets.overdue", _l("Overdue tickets"), email_default=True)]


@pytest.fixture
def app(make_app):
    return make_app(plugins=[plugin("tickets", notification_kinds)], DEFAULT_LOCALE="en", SMTP_HOST=None)


def test_hook_notification_kinds(app, make_user, client_for):
    reader = make_user("agent")
    with app.app_context():
        kinds = known()
        assert {"general", "tickets.overdue"} <= set(kinds)
        assert kinds["tickets.overdue"].email_default is True
        api.notify(reader.id, "Ticket 7 is overdue", kind="tickets.overdue")
        db.session().commit()
    page = client_for(reader).get("/account/notifications").get_data(as_text=True)
    assert "Overdue tickets" in page
    assert 'value="tickets.overdue" checked' in page  # email_default=True ticks it for who hasn't chosen
    assert 'value="general" checked' not in page


def test_a_users_choice_overrides_the_kinds_email_default(app, make_user, client_for):
    reader = make_user("agent")
    client = client_for(reader)
    token = client.get("/account/notifications").get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post("/account/notifications", data={"csrf_token": token, "email": ["general"], "digest": "1"})
    assert response.status_code == 302
    with app.app_context():
        kinds = known()
        assert service.wants_email(reader.id, kinds["general"]) is True
        assert service.wants_email(reader.id, kinds["tickets.overdue"]) is False
        assert service.preference(reader.id).digest is True
