"""A day of call events, replayed out of order and with repeats, gives exactly its activities and
its missed-call queue; a missed call gets a callback task and leaves the queue when it is returned."""

import random
from datetime import timedelta

import pytest

from crmkit import api
from telephony_helpers import SECRET, activities, calls, event, post

DANA = "+77011234567"
STRANGER = "87019998877"  # the local way; E.164 +77019998877
OFFICE = "+77272000000"


@pytest.fixture
def world(app, make_user, frozen_clock):
    app.config["TELEPHONY_WEBHOOK_SECRET"] = SECRET
    aigul = make_user("agent", name="Aigul", email="aigul@example.kz")
    bolat = make_user("agent", name="Bolat", email="bolat@example.kz")
    with app.test_request_context():
        dana = api.Records("person", api.find_user(id=aigul.id)).create({"name": "Dana", "phone": DANA})
        session = api.session()
        from crmkit_telephony.models import Extension

        session.add_all([Extension(provider="generic", extension="101", user_id=aigul.id),
                         Extension(provider="generic", extension="102", user_id=bolat.id)])
        session.commit()
        return {"aigul": aigul.id, "bolat": bolat.id, "dana": dana.id}


DAY = [
    # c1: Dana calls, Aigul answers and talks two minutes; the recording comes later
    event("ringing", "c1", "09:00:00", caller=DANA, called=OFFICE, extension="101"),
    event("answered", "c1", "09:00:05", caller=DANA, called=OFFICE, extension="101"),
    event("ended", "c1", "09:02:05", caller=DANA, called=OFFICE, extension="101", duration=120),
    event("recording", "c1", "09:03:00", recording_url="https://pbx.example/rec/c1.mp3"),
    # c2: a stranger rings Bolat, nobody answers
    event("ringing", "c2", "10:00:00", caller=STRANGER, called=OFFICE, extension="102"),
    event("missed", "c2", "10:00:30", caller=STRANGER, called=OFFICE, extension="102"),
    # c3: Bolat calls the stranger back and gets through
    event("ringing", "c3", "10:20:00", "outbound", caller="102", called="+77019998877", extension="102"),
    event("answered", "c3", "10:20:10", "outbound", caller="102", called="+77019998877", extension="102"),
    event("ended", "c3", "10:21:10", "outbound", caller="102", called="+77019998877", extension="102", duration=60),
    # c4: Dana calls again, rings out unanswered (ended with no talk time)
    event("ringing", "c4", "11:00:00", caller=DANA, called=OFFICE, extension="101"),
    event("ended", "c4", "11:00:40", caller=DANA, called=OFFICE, extension="101", duration=0),
    # c5: a call to an extension nobody is mapped to
    event("ringing", "c5", "12:00:00", caller="+77015550000", called=OFFICE, extension="777"),
    event("ended", "c5", "12:01:00", caller="+77015550000", called=OFFICE, extension="777", duration=50),
]


def replay(client, seed):
    shuffled = DAY + random.Random(seed).sample(DAY, 5)  # five events sent twice
    random.Random(seed).shuffle(shuffled)
    for start in range(0, len(shuffled), 3):
        response = post(client, shuffled[start:start + 3])
        assert response.status_code == 202, response.get_json()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_day_replayed_out_of_order_with_repeats_gives_exactly_its_activities_and_queue(app, client, world, seed):
    replay(client, seed)
    found = {(a.direction, a.their_address, a.outcome, a.duration_seconds, a.owner_id, a.about_entity, a.about_id,
              a.recording_url) for a in activities(app, "call")}
    assert found == {
        ("inbound", DANA, "answered", 120, world["aigul"], "person", world["dana"], "https://pbx.example/rec/c1.mp3"),
        ("inbound", "+77019998877", "missed", None, world["bolat"], None, None, None),
        ("outbound", "+77019998877", "answered", 60, world["bolat"], None, None, None),
        ("inbound", DANA, "missed", 0, world["aigul"], "person", world["dana"], None),
    }
    by_id = calls(app)
    assert [c for c, call in sorted(by_id.items()) if call.queued] == ["c4"]
    assert by_id["c2"].called_back_by == by_id["c3"].id
    assert by_id["c5"].unknown_extension and by_id["c5"].activity_id is None


def test_replaying_the_day_again_changes_nothing(app, client, world):
    replay(client, 1)
    before = [(a.id, a.version) for a in activities(app, "call") + activities(app, "task")]
    replay(client, 4)
    assert [(a.id, a.version) for a in activities(app, "call") + activities(app, "task")] == before


def test_another_teams_client_answered_by_an_agent_who_may_not_see_them_is_kept_without_the_link(app, client, world):
    answered = [event("ringing", "c8", "13:00:00", caller=DANA, called=OFFICE, extension="102"),
                event("answered", "c8", "13:00:05", caller=DANA, called=OFFICE, extension="102"),
                event("ended", "c8", "13:01:05", caller=DANA, called=OFFICE, extension="102", duration=60)]
    assert post(client, answered).status_code == 202
    [call] = activities(app, "call")
    assert (call.owner_id, call.their_address, call.duration_seconds, call.about_id) == (world["bolat"], DANA, 60, None)


def test_a_missed_call_gets_a_callback_task_for_its_agent_due_in_working_minutes(app, client, world):
    post(client, DAY[9:11])
    call = calls(app)["c4"]
    [task] = activities(app, "task")
    assert call.queued and task.id == call.callback_task_id
    assert (task.owner_id, task.status, task.about_entity, task.about_id) == (world["aigul"], "open", "person", world["dana"])
    with app.app_context():
        assert call.callback_due_at == api.add_working_minutes(call.ended_at, 30)
        assert task.happened_at == call.callback_due_at


def test_the_missed_call_leaves_the_queue_and_its_task_is_done_when_the_callback_connects(app, client, client_for, world):
    post(client, DAY[4:6])
    bolat = client_for(api_user(app, world["bolat"]))
    assert "c2" in bolat.get("/telephony/missed").get_data(as_text=True)
    post(client, DAY[6:9])
    assert not calls(app)["c2"].queued
    [task] = activities(app, "task")
    assert task.status == "done"
    assert 'data-call="c2"' not in bolat.get("/telephony/missed").get_data(as_text=True)


def test_an_unanswered_callback_leaves_the_call_in_the_queue(app, client, world):
    post(client, DAY[4:6])
    post(client, [event("ringing", "c9", "10:30:00", "outbound", caller="102", called="+77019998877", extension="102"),
                  event("ended", "c9", "10:30:30", "outbound", caller="102", called="+77019998877", extension="102", duration=0)])
    assert calls(app)["c2"].queued


def test_an_answer_reported_after_the_end_takes_the_call_off_the_queue(app, client, world):
    post(client, [DAY[9], DAY[10]])
    assert calls(app)["c4"].queued
    post(client, event("answered", "c4", "11:00:05", caller=DANA, called=OFFICE, extension="101"))
    assert not calls(app)["c4"].queued
    [task] = activities(app, "task")
    assert task.status == "cancelled"
    assert [a.outcome for a in activities(app, "call")] == ["answered"]


def test_an_agent_marks_a_missed_call_handled(app, client, client_for, world):
    from crmkit.testing.accounts import csrf_token

    post(client, DAY[4:6])
    bolat = client_for(api_user(app, world["bolat"]))
    call = calls(app)["c2"]
    token = csrf_token(bolat, "/telephony/missed")
    response = bolat.post(f"/telephony/missed/{call.id}/handled", data={"csrf_token": token})
    assert response.status_code == 302
    assert not calls(app)["c2"].queued and calls(app)["c2"].handled_by_id == world["bolat"]
    assert activities(app, "task")[0].status == "done"


def test_another_agents_missed_call_is_not_theirs_to_handle(app, client, client_for, world):
    from crmkit.testing.accounts import csrf_token

    post(client, DAY[4:6])
    aigul = client_for(api_user(app, world["aigul"]))
    assert 'data-call="c2"' not in aigul.get("/telephony/missed").get_data(as_text=True)
    token = csrf_token(aigul, "/telephony/missed")
    assert aigul.post(f"/telephony/missed/{calls(app)['c2'].id}/handled", data={"csrf_token": token}).status_code == 403


def test_overdue_callbacks_are_marked_on_the_queue(app, client, client_for, world, frozen_clock):
    post(client, DAY[4:6])
    frozen_clock.move_to(calls(app)["c2"].callback_due_at + timedelta(minutes=1))
    page = client_for("admin").get("/telephony/missed").get_data(as_text=True)
    assert 'class="overdue"' in page


def api_user(app, user_id):
    with app.app_context():
        return api.find_user(id=user_id)
