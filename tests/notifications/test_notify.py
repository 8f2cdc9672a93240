"""notify(): stored in the recipient's language, in the caller's transaction, about a record; the
bell counts, the page lists, marking read."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, text

from crmkit import api, db
from crmkit.core.notifications.models import Notification
from crmkit.i18n import lazy_gettext as _l
from tests.browser.conftest import tr
from tests.conftest import csrf_token
from tests.merging import create


@pytest.fixture
def app(make_app):
    return make_app(DEFAULT_LOCALE="en", JOBS_IMMEDIATE=True, SMTP_HOST=None)


def stored(app, user_id):
    with app.app_context():
        return list(db.session().execute(select(Notification).where(Notification.user_id == user_id)
                                         .order_by(Notification.id)).scalars())


def send(app, user, title, **options):
    with app.app_context():
        found = api.notify(user.id, title, **options)
        db.session().commit()
        return found.id


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_a_notification_is_stored_in_the_recipients_language(app, make_user, language):
    reader = make_user("agent", locale=language)
    send(app, reader, _l("Your profile is saved."), body=_l("Save"))
    [found] = stored(app, reader.id)
    assert found.title == tr(language, "Your profile is saved.")
    assert found.body == tr(language, "Save")


def test_a_user_without_a_language_reads_the_instance_default(make_app, make_user):
    app = make_app(DEFAULT_LOCALE="kk", SMTP_HOST=None)
    reader = make_user("agent", app=app)
    send(app, reader, _l("Your profile is saved."))
    assert stored(app, reader.id)[0].title == tr("kk", "Your profile is saved.")


def test_a_callable_and_a_format_pair_are_rendered_in_the_recipients_language(app, make_user):
    from crmkit.i18n import gettext

    reader = make_user("agent", locale="ru")
    send(app, reader, lambda: gettext("Save"), body=(_l("Reminder: %(subject)s"), {"subject": "звонок"}))
    found = stored(app, reader.id)[0]
    assert found.title == tr("ru", "Save")
    assert found.body == tr("ru", "Reminder: %(subject)s", subject="звонок")


def test_notify_writes_in_the_callers_transaction_and_a_rollback_leaves_nothing(app, make_user):
    reader = make_user("agent")
    with app.app_context():
        api.notify(reader, "Deal moved")
        db.session().rollback()
    assert stored(app, reader.id) == []


def test_an_undeclared_kind_is_refused_naming_the_declared_ones(app, make_user):
    reader = make_user("agent")
    with app.app_context(), pytest.raises(ValueError, match="general"):
        api.notify(reader, "Hello", kind="no.such.kind")


def test_a_url_off_this_site_is_refused(app, make_user):
    reader = make_user("agent")
    with app.app_context(), pytest.raises(ValueError, match="path on this site"):
        api.notify(reader, "Hello", url="https://evil.example.com/")


def test_a_notification_about_a_record_leads_to_its_page(app, make_user, client_for):
    reader = make_user("admin")
    dana = create(app, "person", as_user=reader.email, name="Dana Client")
    send(app, reader, "Dana called", record=("person", dana))
    client = client_for(reader)
    [found] = stored(app, reader.id)
    assert (found.record_entity, found.record_id) == ("person", dana)
    opened = client.post(f"/notifications/{found.id}/open", data={"csrf_token": csrf_token(client, "/notifications/")})
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/person/{dana}")
    assert stored(app, reader.id)[0].read_at is not None


def bell_count(html: str) -> str | None:
    found = re.search(r'<span class="bell-count"( hidden)?>([^<]*)</span>', html)
    return None if found is None or found.group(1) else found.group(2)


def test_the_bell_shows_the_unread_count_and_links_to_the_page_without_scripts(app, make_user, client_for):
    reader = make_user("agent")
    client = client_for(reader)
    assert bell_count(client.get("/").get_data(as_text=True)) is None
    send(app, reader, "First")
    send(app, reader, "Second")
    page = client.get("/").get_data(as_text=True)
    assert bell_count(page) == "2"
    assert re.search(r'<a class="bell-link" href="/notifications/"', page)
    assert client.get("/notifications/count").get_json() == {"unread": 2}


def test_the_page_lists_the_users_own_notifications_newest_first(app, make_user, client_for):
    reader, other = make_user("agent"), make_user("agent")
    send(app, reader, "Older one")
    send(app, reader, "Newer one")
    send(app, other, "Someone else's")
    page = client_for(reader).get("/notifications/").get_data(as_text=True)
    assert page.index("Newer one") < page.index("Older one")
    assert "Someone else" not in page


def test_the_page_is_paged_by_older_links(app, make_user, client_for):
    reader = make_user("agent")
    with app.app_context():
        for number in range(30):
            api.notify(reader.id, f"Note {number:02d}")
        db.session().commit()
    client = client_for(reader)
    first = client.get("/notifications/").get_data(as_text=True)
    assert "Note 29" in first and "Note 04" not in first
    older = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = client.get(older).get_data(as_text=True)
    assert "Note 04" in second and "Note 29" not in second


def test_marking_one_read_drops_the_count_and_all_read_empties_it(app, make_user, client_for):
    reader = make_user("agent")
    first = send(app, reader, "First")
    send(app, reader, "Second")
    send(app, reader, "Third")
    client = client_for(reader)
    token = csrf_token(client, "/notifications/")
    assert client.post(f"/notifications/{first}/read", data={"csrf_token": token}).status_code == 302
    assert client.get("/notifications/count").get_json() == {"unread": 2}
    assert "unread" in client.get("/notifications/?show=unread").get_data(as_text=True)
    client.post("/notifications/read-all", data={"csrf_token": token})
    assert client.get("/notifications/count").get_json() == {"unread": 0}


def test_nobody_marks_or_opens_another_users_notification(app, make_user, client_for):
    owner, intruder = make_user("agent"), make_user("admin")
    found = send(app, owner, "Private")
    client = client_for(intruder)
    token = csrf_token(client, "/notifications/")
    assert client.post(f"/notifications/{found}/read", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/notifications/{found}/open", data={"csrf_token": token}).status_code == 404
    assert stored(app, owner.id)[0].read_at is None


def test_the_dropdown_fragment_lists_the_latest(app, make_user, client_for):
    reader = make_user("agent")
    send(app, reader, "Deal «Abay 12» won")
    fragment = client_for(reader).get("/notifications/latest").get_data(as_text=True)
    assert "Deal «Abay 12» won" in fragment and "<html" not in fragment


def test_the_pages_need_a_login(client):
    assert client.get("/notifications/").status_code == 302
    assert client.get("/notifications/count").status_code in (302, 401)


def test_the_bells_count_reads_the_unread_index(app, make_user):
    reader = make_user("agent")
    with app.app_context():
        session = db.session()
        if session.get_bind().dialect.name != "sqlite":
            pytest.skip("the plan is checked on SQLite; PostgreSQL picks by table size")
        plan = " ".join(str(row) for row in session.execute(text(
            "EXPLAIN QUERY PLAN SELECT count(*) FROM core_notification WHERE user_id = :u AND read_at IS NULL"), {"u": reader.id}))
    assert "ix_core_notification_unread" in plan
