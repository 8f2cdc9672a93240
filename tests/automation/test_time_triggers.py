"""Time triggers, checked by the periodic job: deals idle for seven days are reassigned, a date
passed by some days and an overdue task start rules; each record is picked up once."""

from __future__ import annotations

from datetime import timedelta

from crmkit import db, jobs
from crmkit.core.access.models import Department
from tests.automation.conftest import deal_row, new_deal, runs, save_rule, tasks_about
from tests.people import person
from tests.test_myday import add


def check(app):
    with app.app_context():
        jobs.enqueue("core.automation.check_time_triggers")


def idle_rule(action):
    return {"name": "Idle deals change hands", "entity": "deal", "trigger": {"type": "idle", "days": 7},
            "actions": [action]}


def test_deals_idle_for_seven_days_are_reassigned(app, admin_id, sales, frozen_clock):
    person(app, "dana@example.com")
    senior = person(app, "senior@example.com")
    save_rule(app, idle_rule({"type": "assign", "user": senior}))
    deal_id = new_deal(app, "dana@example.com", sales)

    frozen_clock.tick(timedelta(days=6))
    check(app)
    assert deal_row(app, deal_id).owner_id != senior

    frozen_clock.tick(timedelta(days=2))
    check(app)
    assert deal_row(app, deal_id).owner_id == senior
    [run] = runs(app, record_id=deal_id)
    assert (run.trigger, run.result) == ("idle", "ok")

    frozen_clock.tick(timedelta(hours=1))
    check(app)
    assert len(runs(app, record_id=deal_id)) == 1  # picked up once, not on every check


def test_round_robin_gives_idle_deals_to_a_departments_agents_in_turn(app, admin_id, sales, frozen_clock):
    with app.app_context():
        session = db.session()
        team = Department(name="Closers")
        session.add(team)
        session.commit()
        team_id = team.id
    first, second = (person(app, f"closer{n}@example.com", department_id=team_id) for n in (1, 2))
    person(app, "dana@example.com")
    save_rule(app, idle_rule({"type": "assign", "department": team_id}))
    deals = [new_deal(app, "dana@example.com", sales, title=f"Deal {n}") for n in range(3)]

    frozen_clock.tick(timedelta(days=8))
    check(app)

    assert [deal_row(app, deal_id).owner_id for deal_id in deals] == [first, second, first]


def test_a_date_passed_by_two_days_starts_a_rule(app, admin_id, sales, frozen_clock):
    person(app, "dana@example.com")
    save_rule(app, {"name": "Overdue close", "entity": "deal",
                    "trigger": {"type": "date_reached", "field": "expected_close_on", "days": 2},
                    "actions": [{"type": "create_task", "subject": "Close or move the date", "due_in": 0}]})
    late = new_deal(app, "dana@example.com", sales, title="Late", expected_close_on="2026-03-03")
    later = new_deal(app, "dana@example.com", sales, title="Later", expected_close_on="2026-03-20")

    frozen_clock.tick(timedelta(days=4))  # Friday 6 March: 3 March is two days behind
    check(app)

    assert [t.subject for t in tasks_about(app, late)] == ["Close or move the date"]
    assert tasks_about(app, later) == []


def test_an_overdue_task_tells_the_owners_manager(app, admin_id, sales, frozen_clock):
    boss = person(app, "boss@example.com", role="manager")
    dana = person(app, "dana@example.com", manager_id=boss)
    save_rule(app, {"name": "Overdue tasks go up", "entity": "deal", "trigger": {"type": "task_overdue"},
                    "actions": [{"type": "create_task", "subject": "Check on the overdue task", "assignee": "manager"}]})
    deal_id = new_deal(app, "dana@example.com", sales)
    add(app, dana, kind="task", subject="Send the contract", about_entity="deal", about_id=deal_id,
        happened_at=frozen_clock.now() + timedelta(hours=2))

    frozen_clock.tick(timedelta(hours=3))
    check(app)

    escalated = [t for t in tasks_about(app, deal_id) if t.subject == "Check on the overdue task"]
    assert [t.owner_id for t in escalated] == [boss]
