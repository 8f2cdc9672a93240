"""Merging two people (or organisations) into one, and undoing the merge from the history."""

from __future__ import annotations

import re
import types

import pytest
from sqlalchemy import select, update

from crmkit import db
from crmkit.core.access.models import Role
from crmkit.core.activities.models import Activity
from crmkit.core.contacts.models import Channel, Employment, Organization, Person
from tests.conftest import csrf_token
from tests.merging import (
    create,
    fetch,
    hidden,
    history,
    label,
    merge,
    plugin,
    records,
    undo,
)
from tests.people import client_as, person


@pytest.fixture
def app(make_app):
    return make_app(DEFAULT_LOCALE="en")


@pytest.fixture
def twins(app, admin_client):
    """Two cards of one man; the second has a job, an activity, another employment and an edit."""
    org, other_org = create(app, "organization", name="Ромашка"), create(app, "organization", name="Василёк")
    kept = create(app, "person", name="Иванов Иван", phone="+77011234567", email="ivan@a.kz")
    merged = create(app, "person", name="Иван Иванов", phone="8 701 123 45 67", email="ivan@b.kz", organization_id=org)
    with app.test_request_context():
        people = records(app, "person")
        people.update(people.get(merged), {"position": "CEO"}, version=None)
        activity = records(app, "activity").create(
            {"kind": "note", "subject": "Asked for a price list", "about_entity": "person", "about_id": merged}
        )
        session = db.session()
        job = Employment(person_id=merged, organization_id=other_org, position="Adviser")
        session.add(job)
        session.commit()
        ids = {"org": org, "activity": activity.id, "job": job.id}
    return types.SimpleNamespace(kept=kept, merged=merged, client=admin_client, **ids)


# the merge page


def test_the_merge_page_shows_the_differing_fields_side_by_side(twins):
    page = twins.client.get(f"/duplicates/merge?entity=person&keep={twins.kept}&merge={twins.merged}").get_data(as_text=True)
    rows = dict(re.findall(r'<tr data-field="([\w.]+)">(.*?)</tr>', page, re.DOTALL))
    assert {"name", "email", "organization_id", "position", "other_emails"} <= set(rows)
    assert "phone" not in rows  # the same number in both
    assert re.search(r'value="kept" checked>\s*<span class="multiline">ivan@a.kz', rows["email"])
    assert re.search(r'value="merged" checked>\s*<span class="multiline">CEO', rows["position"])  # kept's is empty
    assert "Ромашка" in rows["organization_id"]
    assert re.search(r'value="both" checked>\s*<span class="multiline">ivan@b.kz', rows["other_emails"])


def test_merge_keeps_the_picked_values(app, twins):
    response = merge(twins.client, "person", twins.kept, twins.merged, name="merged")
    assert response.status_code == 302 and response.location == f"/person/{twins.kept}"
    kept = fetch(app, Person, twins.kept)
    assert (kept.name, kept.email, kept.position, kept.organization_id) == ("Иван Иванов", "ivan@a.kz", "CEO", twins.org)
    assert kept.other_emails == "ivan@b.kz"


def test_merge_archives_the_other_record(app, twins):
    merge(twins.client, "person", twins.kept, twins.merged)
    assert fetch(app, Person, twins.merged).archived_at is not None
    assert fetch(app, Person, twins.kept).archived_at is None


def test_merge_moves_activities_employment_and_history(app, twins):
    merged_history = [c.id for c in history(app, "person", twins.merged)]
    merge(twins.client, "person", twins.kept, twins.merged)
    assert fetch(app, Activity, twins.activity).about_id == twins.kept
    assert fetch(app, Employment, twins.job).person_id == twins.kept
    assert set(merged_history) <= {c.id for c in history(app, "person", twins.kept)}
    listed = twins.client.get(f"/activity/?about_entity=person&about_id={twins.kept}").get_data(as_text=True)
    assert "Asked for a price list" in listed
    assert [c.action for c in history(app, "person", twins.merged)] == ["archive", "merge"]


def test_merge_writes_one_merge_entry_on_each_record(app, twins):
    merged_history = [c.id for c in history(app, "person", twins.merged)]
    merge(twins.client, "person", twins.kept, twins.merged)
    entries = [c for c in history(app, "person", twins.kept) if c.action == "merge"]
    assert len(entries) == 1
    details = entries[0].changes
    assert details["merged_id"] == twins.merged and details["kept_id"] == twins.kept
    assert details["fields"]["position"] == [None, "CEO"]
    assert details["moved"] == {
        "core.activities": {"activities": [twins.activity]},
        "core.duplicates": {"history": merged_history, "employment": [twins.job]},
    }
    other = history(app, "person", twins.merged)[-1]
    assert other.action == "merge" and other.changes == {"merged_into": twins.kept, "merge_id": entries[0].id}


def test_the_kept_record_keeps_every_phone_and_email_in_the_index(app, twins):
    merge(twins.client, "person", twins.kept, twins.merged)
    with app.app_context():
        found = db.session().execute(select(Channel.value).where(Channel.entity == "person", Channel.record_id == twins.kept))
        assert set(found.scalars()) == {"+77011234567", "ivan@a.kz", "ivan@b.kz"}


def test_the_other_phone_is_kept_as_typed_beside_the_main_one(app, admin_client):
    kept = create(app, "person", name="Иванов Иван", phone="+7 701 123 45 67")
    merged = create(app, "person", name="Иван Иванов", phone="8 701 765 43 21")
    assert merge(admin_client, "person", kept, merged).status_code == 302
    person = fetch(app, Person, kept)
    assert (person.phone, person.other_phones) == ("+77011234567", "+77017654321")
    assert person.phones_typed == {"+77011234567": "+7 701 123 45 67", "+77017654321": "8 701 765 43 21"}


def test_picking_the_other_main_phone_keeps_the_first_among_the_others(app, admin_client):
    kept = create(app, "person", name="Иванов Иван", phone="+77011234567")
    merged = create(app, "person", name="Иван Иванов", phone="+77017654321")
    merge(admin_client, "person", kept, merged, phone="merged")
    person = fetch(app, Person, kept)
    assert (person.phone, person.other_phones) == ("+77017654321", "+77011234567")


def test_merging_organisations_moves_their_people_branches_and_jobs(app, admin_client):
    kept, merged = create(app, "organization", name="Ромашка"), create(app, "organization", name="ТОО Ромашка")
    staff = create(app, "person", name="Сотрудник", organization_id=merged)
    branch = create(app, "organization", name="Ромашка Астана", parent_id=merged)
    with app.app_context():
        job = Employment(person_id=staff, organization_id=merged)
        db.session().add(job)
        db.session().commit()
        job_id = job.id
    assert merge(admin_client, "organization", kept, merged).status_code == 302
    assert fetch(app, Person, staff).organization_id == kept
    assert fetch(app, Organization, branch).parent_id == kept
    assert fetch(app, Employment, job_id).organization_id == kept
    assert fetch(app, Organization, merged).archived_at is not None


def test_a_branch_merged_with_its_head_does_not_become_its_own_branch(app, admin_client):
    head = create(app, "organization", name="Ромашка")
    branch = create(app, "organization", name="Ромашка филиал", parent_id=head)
    assert merge(admin_client, "organization", branch, head).status_code == 302
    assert fetch(app, Organization, branch).parent_id is None


# undo


def test_undo_restores_both_records_and_moves_everything_back(app, twins):
    merged_history = [c.id for c in history(app, "person", twins.merged)]
    merge(twins.client, "person", twins.kept, twins.merged, name="merged")
    response = undo(twins.client, "person", twins.kept)
    assert response.status_code == 302 and response.location == f"/person/{twins.kept}"
    kept, merged = fetch(app, Person, twins.kept), fetch(app, Person, twins.merged)
    assert merged.archived_at is None
    assert (kept.name, kept.position, kept.organization_id, kept.other_emails) == ("Иванов Иван", None, None, None)
    assert fetch(app, Activity, twins.activity).about_id == twins.merged
    assert fetch(app, Employment, twins.job).person_id == twins.merged
    assert [c.id for c in history(app, "person", twins.merged)][: len(merged_history)] == merged_history
    entry = history(app, "person", twins.kept)[-1]
    assert entry.action == "unmerge" and entry.changes["conflicts"] == {}


def test_undoing_an_organisation_merge_gives_back_its_people_branches_and_jobs(app, admin_client):
    kept, merged = create(app, "organization", name="Ромашка"), create(app, "organization", name="ТОО Ромашка")
    staff = create(app, "person", name="Сотрудник", organization_id=merged)
    branch = create(app, "organization", name="Ромашка Астана", parent_id=merged)
    with app.app_context():
        job = Employment(person_id=staff, organization_id=merged)
        db.session().add(job)
        db.session().commit()
        job_id = job.id
    merge(admin_client, "organization", kept, merged)
    assert undo(admin_client, "organization", kept).status_code == 302
    assert fetch(app, Person, staff).organization_id == merged
    assert fetch(app, Organization, branch).parent_id == merged
    assert fetch(app, Employment, job_id).organization_id == merged
    assert fetch(app, Organization, merged).archived_at is None


def test_undo_leaves_a_field_changed_since_the_merge_alone(app, twins):
    merge(twins.client, "person", twins.kept, twins.merged)
    with app.test_request_context():
        people = records(app, "person")
        people.update(people.get(twins.kept), {"position": "Director"}, version=None)
    response = undo(twins.client, "person", twins.kept)
    assert response.status_code == 302
    assert fetch(app, Person, twins.kept).position == "Director"
    assert fetch(app, Person, twins.kept).other_emails is None  # untouched since, so put back
    assert history(app, "person", twins.kept)[-1].changes["conflicts"] == {"position": ["CEO", "Director"]}
    flashed = twins.client.get(f"/person/{twins.kept}").get_data(as_text=True)
    assert "Changed since the merge, so left as they are: Position." in flashed


def test_a_moved_activity_refiled_since_stays_where_it_is(app, twins):
    merge(twins.client, "person", twins.kept, twins.merged)
    third = create(app, "person", name="Третий")
    with app.app_context():
        db.session().execute(update(Activity).where(Activity.id == twins.activity).values(about_id=third))
        db.session().commit()
    undo(twins.client, "person", twins.kept)
    assert fetch(app, Activity, twins.activity).about_id == third


def test_a_merge_can_be_undone_only_once(app, twins):
    merge(twins.client, "person", twins.kept, twins.merged)
    page = twins.client.get(f"/person/{twins.kept}").get_data(as_text=True)
    action = re.search(r'action="(/duplicates/undo/\d+)"', page).group(1)
    token = csrf_token(twins.client, f"/person/{twins.kept}")
    assert twins.client.post(action, data={"csrf_token": token}).status_code == 302
    assert "Undo merge" not in twins.client.get(f"/person/{twins.kept}").get_data(as_text=True)
    before = len(history(app, "person", twins.kept))
    twins.client.post(action, data={"csrf_token": token})
    assert len(history(app, "person", twins.kept)) == before
    assert "This merge has already been undone." in twins.client.get(f"/person/{twins.kept}").get_data(as_text=True)


def test_the_history_describes_the_merge_on_both_records(app, twins):
    merge(twins.client, "person", twins.kept, twins.merged)
    kept_page = twins.client.get(f"/person/{twins.kept}").get_data(as_text=True)
    merged_page = twins.client.get(f"/person/{twins.merged}").get_data(as_text=True)
    called = label(app, "person")
    assert f'<a href="/person/{twins.merged}">{called} #{twins.merged}</a> merged into this record' in kept_page
    assert f'merged into <a href="/person/{twins.kept}">{called} #{twins.kept}</a>' in merged_page


# one transaction


def test_a_failing_plugin_leaves_nothing_half_merged(make_app, admin_client_for):
    def explode(entity, kept, merged, user):
        raise RuntimeError("the disk is full")

    app = make_app(plugins=[plugin("exploding", records_merged=explode)], DEFAULT_LOCALE="en")
    client = admin_client_for(app)
    client.application.config["PROPAGATE_EXCEPTIONS"] = False
    kept = create(app, "person", name="Иванов Иван", email="ivan@a.kz")
    merged = create(app, "person", name="Иван Иванов", email="ivan@b.kz", position="CEO")
    activity = create(app, "activity", kind="note", subject="Hi", about_entity="person", about_id=merged)
    before = [c.id for c in history(app, "person", kept)], [c.id for c in history(app, "person", merged)]
    assert merge(client, "person", kept, merged).status_code == 500
    assert fetch(app, Person, merged).archived_at is None
    assert (fetch(app, Person, kept).position, fetch(app, Person, kept).version) == (None, 1)
    assert fetch(app, Activity, activity).about_id == merged
    assert ([c.id for c in history(app, "person", kept)], [c.id for c in history(app, "person", merged)]) == before


def test_a_stale_merge_page_is_refused(app, twins):
    page = twins.client.get(f"/duplicates/merge?entity=person&keep={twins.kept}&merge={twins.merged}").get_data(as_text=True)
    data = {name: hidden(page, name) for name in ("csrf_token", "entity", "keep", "merge", "keep_version", "merge_version")}
    with app.test_request_context():
        people = records(app, "person")
        people.update(people.get(twins.kept), {"position": "Director"}, version=None)
    response = twins.client.post("/duplicates/merge", data=data)
    assert response.status_code == 409
    assert fetch(app, Person, twins.merged).archived_at is None
    assert fetch(app, Activity, twins.activity).about_id == twins.merged


def test_a_record_cant_be_merged_with_itself(twins):
    response = twins.client.get(f"/duplicates/merge?entity=person&keep={twins.kept}&merge={twins.kept}")
    assert response.status_code == 302
    assert "A record can&#39;t be merged with itself." in twins.client.get(response.location).get_data(as_text=True)


# permissions


def editor_without_merge(app):
    """A role that may edit and archive everything, but not merge."""
    with app.app_context():
        permissions = ["*.view", "*.create", "*.edit", "*.archive"]
        db.session().add(Role(name="editor", label="Editor", permissions=permissions, visibility={"*": "all"}))
        db.session().commit()
    person(app, "editor@example.com", role="editor")
    return client_as(app, "editor@example.com")


def test_merging_needs_the_merge_permission(app, twins):
    manager = editor_without_merge(app)
    assert manager.get(f"/duplicates/merge?entity=person&keep={twins.kept}&merge={twins.merged}").status_code == 403
    token = csrf_token(manager, "/")
    data = {"csrf_token": token, "entity": "person", "keep": twins.kept, "merge": twins.merged}
    assert manager.post("/duplicates/merge", data=data).status_code == 403
    assert fetch(app, Person, twins.merged).archived_at is None


def merger_role(app):
    with app.app_context():
        permissions = ["*.view", "*.create", "*.edit", "core.merge"]  # merging needs no archive right
        db.session().add(Role(name="merger", label="Merger", permissions=permissions, visibility={"*": "own"}))
        db.session().commit()
    person(app, "merger@example.com", role="merger")
    return client_as(app, "merger@example.com")


def test_a_merger_cant_merge_records_they_cant_see(app, twins):
    client = merger_role(app)
    mine = create(app, "person", as_user="merger@example.com", name="Иванов И.", phone="+77011234567")
    assert client.get(f"/duplicates/merge?entity=person&keep={mine}&merge={twins.merged}").status_code == 404
    data = {"csrf_token": csrf_token(client, "/"), "entity": "person", "keep": mine, "merge": twins.merged,
            "keep_version": 1, "merge_version": 2}
    assert client.post("/duplicates/merge", data=data).status_code == 404
    assert fetch(app, Person, twins.merged).archived_at is None


def test_a_merger_merges_their_own_records(app, twins):
    client = merger_role(app)
    first = create(app, "person", as_user="merger@example.com", name="Иванов И.", phone="+77011234567")
    second = create(app, "person", as_user="merger@example.com", name="Иванов Иван", phone="+77011234567")
    assert merge(client, "person", first, second).status_code == 302
    assert fetch(app, Person, second).archived_at is not None


def test_an_agent_merges_their_own_duplicates_by_default(app, twins):
    person(app, "agent@example.com", role="agent")
    client = client_as(app, "agent@example.com")
    first = create(app, "person", as_user="agent@example.com", name="Жумабаева Асель", phone="+77011112233")
    second = create(app, "person", as_user="agent@example.com", name="Асель Жумабаева", phone="+77011112233")
    assert merge(client, "person", first, second).status_code == 302
    assert fetch(app, Person, second).archived_at is not None


def test_undo_needs_the_merge_permission(app, twins):
    merge(twins.client, "person", twins.kept, twins.merged)
    change = next(c for c in history(app, "person", twins.kept) if c.action == "merge")
    manager = editor_without_merge(app)
    assert manager.post(f"/duplicates/undo/{change.id}", data={"csrf_token": csrf_token(manager, "/")}).status_code == 403
    assert fetch(app, Person, twins.merged).archived_at is not None
