"""Workflows on the entity framework, over the API: allowed moves, required fields, plugins'
vetoes, stored transitions, time in each state and stale moves (tests/plugins/tickets declares one)."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from threading import Barrier

import pytest
from sqlalchemy import select, update

from crmkit import db, hookimpl
from crmkit.core.auth.service import find_user
from crmkit.entities.service import Invalid, Records
from crmkit.entities.transitions import Transition
from crmkit.entities.workflow import Stay, time_in_states
from tests.conftest import add_user, token_client
from tests.hooking import plugin
from tests.plugins.tickets import hooks as tickets

URL = "/api/v1/tickets/ticket"
KEY = "tickets.ticket"


@pytest.fixture
def app(make_app):
    return make_app(plugins=[tickets], CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")


def api_client(app, email="admin@example.com", **fields):
    add_user(app, email=email, **fields)
    return token_client(app, email)


@pytest.fixture
def api(app):
    return api_client(app, is_admin=True, name="Admin")


def create(client, **fields):
    response = client.post(URL, json={"title": "Printer jams", **fields})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def move(client, ticket, status, version=None, **fields):
    version = ticket["version"] if version is None else version
    return client.patch(f"{URL}/{ticket['id']}", json={"status": status, **fields}, headers={"If-Match": f'"{version}"'})


def transitions(app, record_id=1):
    with app.app_context():
        rows = db.session().execute(select(Transition).where(Transition.record_id == record_id).order_by(Transition.id))
        return [(t.entity, t.from_state, t.to_state, t.user_id) for t in rows.scalars()]


def test_creating_a_record_stores_its_first_transition(app, api):
    create(api)
    assert transitions(app) == [(KEY, None, "new", 1)]


def test_an_allowed_move_is_saved_and_stored_with_who_and_when(app, api):
    ticket = create(api)
    before = datetime.now(UTC)
    response = move(api, ticket, "in_progress")
    assert response.status_code == 200 and response.get_json()["status"] == "in_progress"
    assert transitions(app) == [(KEY, None, "new", 1), (KEY, "new", "in_progress", 1)]
    with app.app_context():
        last = db.session().execute(select(Transition).order_by(Transition.id.desc())).scalars().first()
        assert last.field == "status" and before <= last.at <= datetime.now(UTC)


def test_a_forbidden_move_gets_422_naming_the_states_allowed(app, api):
    ticket = create(api)
    response = move(api, ticket, "closed")
    error = response.get_json()["error"]
    assert response.status_code == 422
    assert error["fields"] == {"status": ["Cannot move from New to Closed. Allowed: In progress, Rejected."]}
    assert error["allowed"] == [{"key": "in_progress", "label": "In progress"}, {"key": "rejected", "label": "Rejected"}]
    assert api.get(f"{URL}/{ticket['id']}").get_json()["status"] == "new"
    assert transitions(app) == [(KEY, None, "new", 1)]


def test_a_state_with_no_way_out_says_so(api):
    ticket = create(api)
    ticket = move(api, ticket, "rejected", resolution="Duplicate").get_json()
    ticket = move(api, ticket, "closed").get_json()
    error = move(api, ticket, "new").get_json()["error"]
    assert error["fields"] == {"status": ["No move is allowed from Closed."]} and error["allowed"] == []


def test_a_new_record_starts_only_in_a_state_the_workflow_opens_with(api):
    response = api.post(URL, json={"title": "Done already", "status": "resolved", "resolution": "Fixed"})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"status": ["Not a state this record can take. Allowed: New, In progress."]}
    assert create(api, status="in_progress")["status"] == "in_progress"


def test_entering_a_state_requires_its_fields(app, api):
    ticket = move(api, create(api), "in_progress").get_json()
    response = move(api, ticket, "resolved")
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"resolution": ["Required in the state Resolved."]}
    response = move(api, ticket, "resolved", resolution="Replaced the roller")
    assert response.status_code == 200 and response.get_json()["resolution"] == "Replaced the roller"
    assert transitions(app)[-1] == (KEY, "in_progress", "resolved", 1)


def test_a_required_field_cannot_be_emptied_while_in_its_state(api):
    ticket = move(api, create(api), "rejected", resolution="Duplicate").get_json()
    response = api.patch(f"{URL}/{ticket['id']}", json={"resolution": ""}, headers={"If-Match": f'"{ticket["version"]}"'})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"resolution": ["Required in the state Rejected."]}


def test_an_archived_state_takes_no_one_but_a_record_in_it_may_leave(app, api):
    ticket = move(api, create(api), "in_progress").get_json()
    response = move(api, ticket, "waiting")
    assert response.status_code == 422
    assert "waiting" not in [state["key"] for state in response.get_json()["error"]["allowed"]]
    with app.app_context():
        db.session().execute(update(tickets.Ticket).values(status="waiting"))
        db.session().commit()
    ticket = api.get(f"{URL}/{ticket['id']}").get_json()
    assert api.patch(f"{URL}/1", json={"title": "Still waiting"}, headers={"If-Match": f'"{ticket["version"]}"'}).status_code == 200
    assert move(api, api.get(f"{URL}/1").get_json(), "in_progress").status_code == 200


def test_a_change_that_keeps_the_state_stores_no_transition(app, api):
    ticket = create(api)
    assert api.patch(f"{URL}/1", json={"title": "Renamed", "status": "new"}, headers={"If-Match": '"1"'}).status_code == 200
    assert transitions(app) == [(KEY, None, "new", 1)]
    assert ticket["status"] == "new"


def test_hook_workflow_transition_check(app, api):
    ticket = move(api, create(api, blocked=True), "rejected", resolution="Duplicate").get_json()
    response = move(api, ticket, "closed")
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"status": ["A blocked ticket cannot be closed."]}
    assert move(api, ticket, "closed", blocked=False).status_code == 200


def test_a_plugins_refusal_is_in_the_users_language(app, api):
    ticket = move(api, create(api, blocked=True), "rejected", resolution="Duplicate").get_json()
    headers = {"If-Match": f'"{ticket["version"]}"', "Accept-Language": "ru"}
    response = api.patch(f"{URL}/{ticket['id']}", json={"status": "closed"}, headers=headers)
    assert response.get_json()["error"]["fields"] == {"status": ["Заблокированную заявку нельзя закрыть."]}


def test_a_veto_sees_the_source_and_target_states(make_app):
    seen = []

    @hookimpl
    def workflow_transition_check(entity, record, source, target, values, user):
        seen.append((source and source.key, target.key, target.kind, record is None, values.get("title")))

    app = make_app(plugins=[tickets, plugin("watcher", workflow_transition_check)], CRMKIT_LOCALE="en")
    client = api_client(app, is_admin=True)
    move(client, create(client), "rejected", resolution="Duplicate")
    assert seen == [(None, "new", "open", True, "Printer jams"), ("new", "rejected", "lost", False, None)]


def test_after_transition_event_tells_plugins_of_each_move(make_app):
    seen = []

    @hookimpl
    def entity_event(event, entity, record, changes, user):
        seen.append((event, changes if event == "after_transition" else None))

    app = make_app(plugins=[tickets, plugin("watcher", entity_event)], CRMKIT_LOCALE="en")
    client = api_client(app, is_admin=True)
    ticket = create(client)
    client.patch(f"{URL}/1", json={"title": "Renamed"}, headers={"If-Match": '"1"'})
    move(client, client.get(f"{URL}/1").get_json(), "in_progress")
    assert [event for event in seen if event[0] == "after_transition"] == [
        ("after_transition", {"status": [None, "new"]}),
        ("after_transition", {"status": ["new", "in_progress"]}),
    ]
    assert ticket["status"] == "new"


def test_a_stale_move_gets_409_and_stores_nothing(app, api):
    ticket = create(api)
    assert api.patch(f"{URL}/1", json={"title": "Renamed"}, headers={"If-Match": '"1"'}).status_code == 200
    response = move(api, ticket, "in_progress", version=1)
    assert response.status_code == 409 and response.get_json()["error"]["current"]["status"] == "new"
    assert transitions(app) == [(KEY, None, "new", 1)]


def test_two_concurrent_moves_give_one_200_and_one_409(app, api):
    ticket = create(api)
    clients = [api, app.test_client()]
    clients[1].environ_base.update(api.environ_base)
    start = Barrier(2)

    def attempt(pair):
        client, fields = pair
        start.wait()
        return move(client, ticket, **fields).status_code

    moves = [{"status": "in_progress"}, {"status": "rejected", "resolution": "Duplicate"}]
    with ThreadPoolExecutor(2) as pool:
        codes = sorted(pool.map(attempt, zip(clients, moves)))
    assert codes == [200, 409]
    stored = transitions(app)
    assert len(stored) == 2 and stored[1][2] == api.get(f"{URL}/1").get_json()["status"]


def test_jobs_and_other_code_moving_through_records_obey_the_workflow(app, api):
    create(api)
    with app.app_context():
        session = db.session()
        entity = app.extensions["crmkit"].entities.get(KEY)
        records = Records(entity, find_user(session, "admin@example.com"), session)
        with pytest.raises(Invalid) as refused:
            records.update(records.get(1), {"status": "resolved", "resolution": "Fixed"}, version=None)
        assert "Allowed: In progress, Rejected." in refused.value.fields["status"][0]


def at(hours: float) -> datetime:
    return datetime(2026, 3, 1, 9, 0, tzinfo=UTC) + timedelta(hours=hours)


def test_time_in_states_is_each_stay_with_its_length_up_to_now(app, api):
    ticket = move(api, create(api), "in_progress").get_json()
    ticket = move(api, ticket, "new").get_json()
    move(api, ticket, "in_progress")
    with app.app_context():
        session = db.session()
        ids = session.execute(select(Transition.id).order_by(Transition.id)).scalars().all()
        for transition_id, hours in zip(ids, [0, 2, 2.5, 26.5], strict=True):
            session.execute(update(Transition).where(Transition.id == transition_id).values(at=at(hours)))
        session.commit()
        stays = time_in_states(session, KEY, 1, now=at(30))
    assert stays == [
        Stay("new", at(0), at(2), 7200),
        Stay("in_progress", at(2), at(2.5), 1800),
        Stay("new", at(2.5), at(26.5), 86400),
        Stay("in_progress", at(26.5), None, 12600),
    ]


def test_time_in_states_reads_only_the_records_own_moves(app, api):
    create(api)
    create(api, title="Other")
    with app.app_context():
        stays = time_in_states(db.session(), KEY, 2)
    assert [stay.state for stay in stays] == ["new"] and stays[0].left_at is None
