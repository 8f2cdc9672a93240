"""A record's timeline: activities about it, its history and plugins' entries in one stream,
newest first, filtered by kind and paged by cursor; quick entry of calls, notes and tasks."""

from __future__ import annotations

import re
import types
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import event, select, text

from crmkit import db, hookimpl
from crmkit.core.access.models import Role
from crmkit.core.activities.models import Activity
from crmkit.core.auth.models import User
from crmkit.core.timeline import TimelineEntry, sources
from crmkit.entities.history import Change
from crmkit.entities.service import Records
from tests.conftest import ADMIN_PASSWORD, add_user, csrf_token, login
from tests.plugins.projects import hooks as projects

NOON = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
ENTRY = re.compile(r'<li class="tl-entry[^"]*" data-kind="([^"]+)" data-entry="([^"]+)">\s*<div class="tl-head">.*?'
                   r'<time datetime="([^"]+)">.*?<div class="tl-title">(.*?)</div>', re.DOTALL)


@pytest.fixture
def app(make_app):
    return make_app(plugins=[projects], DEFAULT_LOCALE="en")


def create(app, key, user_id, **data):
    """A record made through the service the pages use, as the given user; its id."""
    with app.app_context():
        session = db.session()
        user = session.get(User, user_id)
        return Records(app.extensions["crmkit"].entities.get(key), user, session).create(data).id


def activity(app, user_id, about_id, kind, at, about="person", **data):
    return create(app, "activity", user_id, kind=kind, about_entity=about, about_id=about_id,
                  happened_at=at.isoformat(), **data)


def client_for(app, email, **fields):
    user = add_user(app, email=email, **fields)
    client = app.test_client()
    assert login(client, email=email, password=ADMIN_PASSWORD).status_code == 302
    return client, user.id


def entries(page: str) -> list[dict]:
    """The timeline entries of a page, in the order shown."""
    return [
        {"kind": kind, "entry": key, "at": datetime.fromisoformat(at), "title": unescape(re.sub(r"<[^>]+>", "", title)).strip()}
        for kind, key, at, title in ENTRY.findall(page)
    ]


def shown(client, url: str) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200, url
    return entries(response.get_data(as_text=True))


def older_link(page: str) -> str | None:
    found = re.search(r'<a rel="next" href="([^"]+)"', page)
    return unescape(found.group(1)) if found else None


def log(client, about_url, **fields):
    token = csrf_token(client, "/timeline" + about_url)
    return client.post(f"/timeline{about_url}/log", data={"csrf_token": token, **fields})


# the stream


def test_activities_and_history_are_one_stream_newest_first(app, admin_client):
    person = create(app, "person", 1, name="Aigerim")
    activity(app, 1, person, "note", NOON - timedelta(days=3), subject="Old note", body="first contact")
    activity(app, 1, person, "call", NOON - timedelta(days=1), subject="Intro call")
    activity(app, 1, person, "task", datetime.now(UTC) + timedelta(days=2), subject="Send the offer")
    found = shown(admin_client, f"/timeline/person/{person}")
    assert [e["title"] for e in found] == ["Send the offer", "Created", "Intro call", "Old note"]
    assert [e["at"] for e in found] == sorted((e["at"] for e in found), reverse=True)


def test_an_activity_without_a_time_stands_where_it_was_recorded(app, admin_client):
    person = create(app, "person", 1, name="Aigerim")
    activity(app, 1, person, "note", NOON, subject="Dated note", body="text")
    create(app, "activity", 1, kind="call", subject="Undated call", about_entity="person", about_id=person)
    assert [e["title"] for e in shown(admin_client, f"/timeline/person/{person}")] == ["Undated call", "Created", "Dated note"]


def test_the_record_page_shows_the_timeline_panel_with_its_first_page(app, admin_client):
    person = create(app, "person", 1, name="Aigerim")
    activity(app, 1, person, "call", NOON, subject="Intro call")
    page = admin_client.get(f"/person/{person}").get_data(as_text=True)
    assert 'id="timeline"' in page
    assert [e["title"] for e in entries(page)] == ["Created", "Intro call"]


def test_history_entries_say_who_changed_which_fields(app, admin_client):
    person = create(app, "person", 1, name="Aigerim")
    with app.app_context():
        session = db.session()
        entity = app.extensions["crmkit"].entities.get("person")
        records = Records(entity, session.get(User, 1), session)
        record = records.get(person)
        records.update(record, {"position": "Director"}, version=record.version)
    page = admin_client.get(f"/timeline/person/{person}?kind=changes").get_data(as_text=True)
    newest = page.split('data-kind="change"')[1].split("</li>")[0]
    assert "Changed" in newest and "Admin" in newest and "Position" in newest and "Director" in newest


def test_a_changed_link_reads_as_the_titles_of_the_records_it_pointed_at(app, admin_client):
    before = create(app, "organization", 1, name="Alatau LLP")
    after = create(app, "organization", 1, name="Kaspi JSC")
    person = create(app, "person", 1, name="Aigerim", organization_id=before)
    with app.app_context():
        session = db.session()
        records = Records(app.extensions["crmkit"].entities.get("person"), session.get(User, 1), session)
        record = records.get(person)
        records.update(record, {"organization_id": after}, version=record.version)
    page = unescape(admin_client.get(f"/timeline/person/{person}?kind=changes").get_data(as_text=True))
    newest = page.split('data-kind="change"')[1].split("</li>")[0]
    assert "Alatau LLP → Kaspi JSC" in newest


def test_an_activity_entry_shows_its_kind_details_and_links_to_its_page(app, admin_client):
    person = create(app, "person", 1, name="Aigerim")
    call = activity(app, 1, person, "call", NOON, subject="Intro call", direction="inbound", outcome="missed",
                    duration_seconds=95, their_address="+77011234567")
    page = admin_client.get(f"/timeline/person/{person}").get_data(as_text=True)
    entry = page.split(f'data-entry="activity:{call}"')[1].split("</li>")[0]
    assert f'href="/activity/{call}"' in entry
    for shown_text in ("Call", "Inbound", "Missed", "1:35", "+7 701 123 45 67", "Admin"):
        assert shown_text in entry


def test_times_are_shown_in_the_readers_time_zone(app):
    client, user_id = client_for(app, "moscow@example.com", role="admin", timezone="Europe/Moscow")
    person = create(app, "person", user_id, name="Aigerim")
    call = activity(app, user_id, person, "call", datetime(2025, 3, 1, 9, 0, tzinfo=UTC))
    page = client.get(f"/timeline/person/{person}").get_data(as_text=True)
    assert "12:00" in page.split(f'data-entry="activity:{call}"')[1].split("</li>")[0]


def test_the_activity_list_shows_times_in_the_readers_zone_and_language(app):
    client, user_id = client_for(app, "almaty@example.com", role="admin", timezone="Asia/Almaty", locale="ru")
    person = create(app, "person", user_id, name="Aigerim")
    activity(app, user_id, person, "call", datetime(2025, 3, 1, 9, 0, tzinfo=UTC), subject="Morning call")
    activity(app, user_id, person, "call", datetime(2025, 3, 1, 21, 30, tzinfo=UTC), subject="Late call")
    page = client.get("/activity/").get_data(as_text=True)
    assert "01.03.2025, 14:00" in page  # UTC+5, Russian short style
    assert "02.03.2025, 02:30" in page  # past midnight there: the next day


def test_a_dotted_plugin_entity_has_its_timeline_under_its_path(app, admin_client):
    project = create(app, "projects.project", 1, name="Flat on Abay")
    activity(app, 1, project, "meeting", NOON, about="projects.project", subject="Viewing", place="Abay 10")
    found = shown(admin_client, f"/timeline/projects/project/{project}")
    assert [e["title"] for e in found] == ["Created", "Viewing"]
    assert "Abay 10" in admin_client.get(f"/projects/project/{project}").get_data(as_text=True)


# filters and paging


def test_the_kind_filter_shows_only_that_kind(app, admin_client):
    person = create(app, "person", 1, name="Aigerim")
    activity(app, 1, person, "call", NOON, subject="A call")
    activity(app, 1, person, "note", NOON, subject="A note", body="text")
    assert [e["title"] for e in shown(admin_client, f"/timeline/person/{person}?kind=calls")] == ["A call"]
    assert [e["title"] for e in shown(admin_client, f"/timeline/person/{person}?kind=notes")] == ["A note"]
    assert [e["kind"] for e in shown(admin_client, f"/timeline/person/{person}?kind=changes")] == ["change"]


def test_an_unknown_filter_or_cursor_is_a_bad_request(app, admin_client):
    person = create(app, "person", 1, name="Aigerim")
    assert admin_client.get(f"/timeline/person/{person}?kind=faxes").status_code == 400
    assert admin_client.get(f"/timeline/person/{person}?before=yesterday").status_code == 400


def ledger_plugin(moments):
    """A plugin adding one entry per moment to person 1's timeline, as a well-behaved plugin does."""

    @hookimpl
    def timeline_entries(entity, record, user, before, limit):
        if entity.key != "person" or record.id != 1:
            return []
        made = [TimelineEntry(at=at, kind="ledger.payment", title=f"Payment {n}", source="ledger", source_id=n)
                for n, at in enumerate(moments, start=1)]
        older = sorted((e for e in made if before is None or before.admits(e)), key=lambda e: e.position, reverse=True)
        return older[:limit]

    module = types.ModuleType("ledger")
    module.__file__ = str(Path(__file__).parent / "plugins" / "inline" / "hooks.py")  # no tables, no migrations
    module.timeline_entries = timeline_entries
    return module


def test_paging_by_cursor_neither_repeats_nor_skips_across_mixed_entries(make_app, monkeypatch):
    moments = [NOON - timedelta(hours=h) for h in (0, 0, 1, 5, 5, 5, 9)]  # ties with each other and activities
    app = make_app(plugins=[ledger_plugin(moments)], DEFAULT_LOCALE="en")
    client, _ = client_for(app, "admin@example.com", is_admin=True, name="Admin")
    person = create(app, "person", 1, name="Aigerim")
    made = {f"activity:{activity(app, 1, person, kind, NOON - timedelta(hours=h))}"
            for kind, h in [("call", 0), ("note", 0), ("call", 2), ("task", 5), ("call", 5), ("email", 9), ("note", 12)]}
    made |= {f"ledger:{n}" for n in range(1, len(moments) + 1)} | {"change:1"}
    monkeypatch.setattr(sources, "PAGE_SIZE", 4)
    seen, url, pages = [], f"/timeline/person/{person}", 0
    while url:
        page = client.get(url).get_data(as_text=True)
        seen += entries(page)
        url, pages = older_link(page), pages + 1
    keys = [e["entry"] for e in seen]
    assert len(keys) == len(set(keys)) and set(keys) == made
    assert [e["at"] for e in seen] == sorted((e["at"] for e in seen), reverse=True)
    assert pages == -(-len(made) // 4)


@pytest.mark.crmkit_fresh_database  # asserts query plans
def test_each_source_is_read_through_its_index_with_a_limit(app, admin_client):
    person = create(app, "person", 1, name="Aigerim")
    activity(app, 1, person, "call", NOON)
    engine = db.engine_of(app)
    statements = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        if ("about_entity" in statement or "FROM core_change" in statement) and "LIMIT" in statement:
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", remember)
    try:
        admin_client.get(f"/timeline/person/{person}")
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    plans = []
    with engine.connect() as conn:
        raw = conn.connection.driver_connection.cursor()
        if engine.dialect.name == "sqlite":
            explain = "EXPLAIN QUERY PLAN "
        else:
            conn.execute(text("SET enable_seqscan = off"))
            explain = "EXPLAIN "
        for statement, parameters in statements:
            raw.execute(explain + statement, parameters)
            plans.append(" ".join(str(row) for row in raw.fetchall()))
    assert any("ix_activity_about" in plan for plan in plans)
    assert any("ix_core_change_record" in plan for plan in plans)


# who sees what


def test_an_agent_sees_only_the_activities_they_may_see(app, admin_client):
    agent, agent_id = client_for(app, "agent@example.com", role="agent", name="Agent")
    person = create(app, "person", agent_id, name="Aigerim")
    activity(app, 1, person, "call", NOON, subject="Admin's call")
    activity(app, agent_id, person, "call", NOON, subject="Agent's call")
    assert [e["title"] for e in shown(agent, f"/timeline/person/{person}?kind=calls")] == ["Agent's call"]
    assert {e["title"] for e in shown(admin_client, f"/timeline/person/{person}?kind=calls")} == {"Admin's call", "Agent's call"}


def test_a_record_the_user_cannot_see_has_no_timeline_and_takes_no_entries(app, admin_client):
    agent, _ = client_for(app, "agent@example.com", role="agent")
    person = create(app, "person", 1, name="Admin's client")
    assert agent.get(f"/timeline/person/{person}").status_code == 404
    token = csrf_token(agent, "/person/new")
    response = agent.post(f"/timeline/person/{person}/log", data={"csrf_token": token, "kind": "note", "body": "sneaky"})
    assert response.status_code == 404
    with app.app_context():
        assert db.session().execute(select(Activity)).first() is None


def test_logging_needs_permission_to_create_activities(app, admin_client):
    with app.app_context():
        db.session().add(Role(name="viewer", label="Viewer", permissions=["*.view"], visibility={"*": "all"}))
        db.session().commit()
    viewer, _ = client_for(app, "viewer@example.com", role="viewer")
    person = create(app, "person", 1, name="Aigerim")
    page = viewer.get(f"/timeline/person/{person}").get_data(as_text=True)
    assert 'class="tl-quick-form"' not in page
    token = csrf_token(viewer, f"/timeline/person/{person}")
    assert viewer.post(f"/timeline/person/{person}/log", data={"csrf_token": token, "kind": "note", "body": "hi"}).status_code == 403


# quick entry


def test_logging_a_call_creates_it_about_the_record_with_its_history(app, admin_client):
    person = create(app, "person", 1, name="Aigerim", phone="+7 701 123 4567")
    form = admin_client.get(f"/person/{person}").get_data(as_text=True)
    assert 'name="their_address" value="+7 701 123 45 67"' in form
    response = log(admin_client, f"/person/{person}", kind="call", direction="inbound", outcome="answered",
                   duration="2:30", duration_unit="min", their_address="8 701 123 45 67", body="Wants a flat")
    assert response.status_code == 302 and response.location == f"/person/{person}"
    assert "Call logged." in admin_client.get(response.location).get_data(as_text=True)
    with app.app_context():
        call = db.session().execute(select(Activity)).scalar_one()
        history = db.session().execute(select(Change).where(Change.entity == "activity")).scalar_one()
    assert (call.kind, call.about_entity, call.about_id, call.owner_id) == ("call", "person", person, 1)
    assert (call.direction, call.outcome, call.duration_seconds) == ("inbound", "answered", 150)
    assert (call.their_address, call.body) == ("+77011234567", "Wants a flat")
    assert call.happened_at is not None
    assert (history.action, history.record_id, history.changes["kind"]) == ("create", call.id, [None, "call"])


def test_a_duration_is_read_in_minutes_or_seconds(app, admin_client):
    person = create(app, "person", 1, name="Aigerim")
    log(admin_client, f"/person/{person}", kind="call", duration="3", duration_unit="min")
    log(admin_client, f"/person/{person}", kind="call", duration="45", duration_unit="s")
    with app.app_context():
        found = db.session().execute(select(Activity.duration_seconds).order_by(Activity.id)).scalars().all()
    assert found == [180, 45]


def test_a_note_and_a_task_are_logged_from_their_forms(app, admin_client):
    person = create(app, "person", 1, name="Aigerim")
    log(admin_client, f"/person/{person}", kind="note", body="Prefers mornings")
    log(admin_client, f"/person/{person}", kind="task", subject="Send the offer", happened_at="2030-01-10T10:00",
        priority="high", reminder_at="2030-01-10T09:00")
    with app.app_context():
        note, task = db.session().execute(select(Activity).order_by(Activity.id)).scalars().all()
    assert (note.kind, note.body, note.about_id) == ("note", "Prefers mornings", person)
    assert (task.kind, task.subject, task.priority, task.status) == ("task", "Send the offer", "high", "open")
    assert task.happened_at == datetime(2030, 1, 10, 5, 0, tzinfo=UTC)  # typed in Almaty, UTC+5
    assert task.reminder_at == datetime(2030, 1, 10, 4, 0, tzinfo=UTC)


def test_bad_input_comes_back_to_the_form_with_a_message_under_each_field(app, admin_client):
    person = create(app, "person", 1, name="Aigerim")
    response = log(admin_client, f"/person/{person}", kind="call", duration="soon", their_address="12", body="kept")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.findall(r'<ul class="errors" id="tl-e-call-(\w+)">', page) == ["duration", "their_address"]
    assert '<details class="tl-quick-form" data-kind="call" open>' in page
    assert ">kept</textarea>" in page
    response = log(admin_client, f"/person/{person}", kind="task", subject="")
    assert response.status_code == 422
    assert re.findall(r'<ul class="errors" id="tl-e-task-(\w+)">', response.get_data(as_text=True)) == ["subject", "happened_at"]
    with app.app_context():
        assert db.session().execute(select(Activity)).first() is None


def test_the_done_button_closes_a_task_as_of_the_version_seen(app, admin_client):
    person = create(app, "person", 1, name="Aigerim")
    task = activity(app, 1, person, "task", NOON, subject="Call back")
    page = admin_client.get(f"/person/{person}").get_data(as_text=True)
    done_url = unescape(re.search(r'action="(/timeline/tasks/\d+/done\?version=\d+)"', page).group(1))
    token = csrf_token(admin_client, f"/person/{person}")
    response = admin_client.post(done_url, data={"csrf_token": token, "next": f"/person/{person}"})
    assert response.status_code == 302 and response.location == f"/person/{person}"
    stale = admin_client.post(done_url, data={"csrf_token": token})
    assert "Someone changed this task" in admin_client.get(stale.location).get_data(as_text=True)
    with app.app_context():
        saved = db.session().get(Activity, task)
        actions = db.session().execute(select(Change.action).where(Change.entity == "activity")).scalars().all()
    assert saved.status == "done"
    assert actions == ["create", "update", "conflict"]


def test_an_activity_page_links_back_to_the_record_it_is_about(app, admin_client):
    person = create(app, "person", 1, name="Aigerim")
    call = activity(app, 1, person, "call", NOON)
    page = admin_client.get(f"/activity/{call}").get_data(as_text=True)
    assert re.search(rf'About:\s*<a href="/person/{person}">Aigerim</a>', page)
    assert 'id="timeline"' not in page


# the hook


def test_hook_timeline_entries(make_app):
    app = make_app(plugins=[ledger_plugin([NOON - timedelta(hours=1)])], DEFAULT_LOCALE="en")
    client, _ = client_for(app, "admin@example.com", is_admin=True, name="Admin")
    person = create(app, "person", 1, name="Aigerim")
    activity(app, 1, person, "call", NOON, subject="Intro call")
    activity(app, 1, person, "note", NOON - timedelta(hours=2), subject="Old note", body="text")
    assert [e["title"] for e in shown(client, f"/person/{person}")] == ["Created", "Intro call", "Payment 1", "Old note"]
    assert "Payment 1" not in [e["title"] for e in shown(client, f"/timeline/person/{person}?kind=calls")]
