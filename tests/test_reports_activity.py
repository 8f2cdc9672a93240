"""The activity reports: every figure equals a count made here, in Python, from the activity rows
themselves (read with a plain SELECT), on both engines; the hourly counts they read follow
every write; a manager counts their department, an agent their own."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import current_app
from sqlalchemy import select

from crmkit import db
from crmkit.core.activities import rollup
from crmkit.core.activities.models import Activity
from crmkit.core.auth.models import User
from crmkit.entities import listing
from crmkit.entities.service import Records
from crmkit.reports.context import Context
from crmkit.reports.registry import reports
from tests.people import client_as, matrix_staff, page, post

MISSED = ("missed", "busy", "no_answer")
START = datetime(2023, 11, 1, tzinfo=UTC)  # Almaty was UTC+6 until 2024-03-01, UTC+5 since


@pytest.fixture
def staffed(make_app):
    app = make_app()
    matrix_staff(app)
    with app.app_context():
        session = db.session()
        for who, zone in (("admin", "Asia/Almaty"), ("boss", "Asia/Almaty"), ("north", "Europe/Berlin"), ("support", "UTC")):
            user = session.execute(select(User).where(User.email == f"{who}@example.com")).scalar_one()
            user.timezone, user.name = zone, who
        session.commit()
    return app


def user(email: str) -> User:
    return db.session().execute(select(User).where(User.email == email)).scalar_one()


def records_of(email: str) -> Records:
    return Records(current_app.extensions["crmkit"].entities.get("activity"), user(email), db.session())


def generate(app, count: int = 90, seed: int = 3) -> None:
    """Activities of every kind through Records, over a year and a half, then changes of each kind
    that moves a count: outcome, time, owner, archiving, a task done and undone."""
    rng = random.Random(seed)
    with app.test_request_context():
        made = []
        for n in range(count):
            who = rng.choice(("admin", "boss", "north", "support"))
            kind = rng.choice(("call", "call", "call", "email", "meeting", "task", "note"))
            at = START + timedelta(days=rng.uniform(0, 500), minutes=rng.randint(0, 1439))
            values = {"kind": kind, "subject": f"#{n}", "happened_at": at.isoformat()}
            if kind == "call":
                values.update(direction=rng.choice(("inbound", "outbound")), outcome=rng.choice(("answered", *MISSED, None)))
            if kind == "task":
                values["status"] = rng.choice(("open", "done"))
            if kind == "meeting" and n % 5 == 0:
                values["status"] = "cancelled"
            made.append((who, records_of(f"{who}@example.com").create(values).id))
        admin = records_of("admin@example.com")
        for who, activity_id in made[::6]:
            activity = admin.get(activity_id)
            admin.update(activity, {"outcome": "answered"} if activity.kind == "call" else {"subject": "changed"}, activity.version)
        for _who, activity_id in made[1::9]:
            activity = admin.get(activity_id)
            moved = activity.happened_at + timedelta(hours=rng.randint(1, 40))
            admin.update(activity, {"happened_at": moved.isoformat()}, activity.version)
        for _who, activity_id in made[2::11]:
            admin.assign_owner(admin.get(activity_id), user("north@example.com").id)
        for _who, activity_id in made[3::13]:
            admin.archive(admin.get(activity_id))
        tasks = [i for _w, i in made if admin.get(i).kind == "task"]
        for activity_id in tasks[:3]:
            task = admin.get(activity_id)
            admin.update(task, {"status": "open" if task.status == "done" else "done"}, task.version)


def rows(app) -> list[Activity]:
    with app.app_context():
        return list(db.session().execute(select(Activity)).scalars())


def run(app, key: str, email: str, **args):
    with app.test_request_context():
        report = reports().get(key)
        ctx = Context.build(report, user(email), args, db.session())
        return report.script(ctx), ctx


def seen_by(app, email: str) -> set[int | None] | None:
    with app.test_request_context():
        access = records_of(email).access
        return access.owner_ids(access.level("activity"))


def moment_of(activity: Activity) -> datetime | None:
    """When an activity counts: a task when done, anything else when it happened."""
    if activity.archived_at is not None or activity.kind not in ("call", "email", "meeting", "task"):
        return None
    moment = activity.done_at if activity.kind == "task" else activity.happened_at
    if activity.kind == "task" and activity.status != "done":
        return None
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


def expected_grid(activities, owners, zone: str, shown: str) -> list[list[int]]:
    grid = [[0] * 24 for _ in range(7)]
    for activity in activities:
        moment = moment_of(activity)
        if activity.kind != "call" or moment is None or (owners is not None and activity.owner_id not in owners):
            continue
        if shown == "answered" and activity.outcome != "answered" or shown == "missed" and activity.outcome not in MISSED:
            continue
        local = moment.astimezone(ZoneInfo(zone))
        grid[local.weekday()][local.hour] += 1
    return grid


def grid_of(result) -> list[list[int]]:
    return [list(series.values) for series in result.chart.series]


@pytest.mark.parametrize("shown", ["all", "answered", "missed"])
def test_heatmap_counts_calls_by_the_users_weekday_and_hour_as_the_rows_say(staffed, shown):
    generate(staffed)
    result, _ctx = run(staffed, "calls_heatmap", "admin@example.com", period="all", calls=shown)
    assert grid_of(result) == expected_grid(rows(staffed), None, "Asia/Almaty", shown)
    assert sum(map(sum, grid_of(result))) > 0


def test_heatmap_in_a_zone_with_daylight_saving_places_calls_by_its_offset_of_the_day(staffed):
    generate(staffed)
    result, _ctx = run(staffed, "calls_heatmap", "north@example.com", period="all")
    assert grid_of(result) == expected_grid(rows(staffed), seen_by(staffed, "north@example.com"), "Europe/Berlin", "all")


def test_heatmap_table_has_an_hour_per_row_with_answered_and_missed_apart(staffed):
    generate(staffed)
    result, _ctx = run(staffed, "calls_heatmap", "admin@example.com", period="all")
    calls = [a for a in rows(staffed) if a.kind == "call" and moment_of(a)]
    assert [row.values["hour"] for row in result.rows] == [f"{h:02d}:00" for h in range(24)]
    assert result.totals.values["total"] == len(calls)
    assert result.totals.values["answered"] == sum(a.outcome == "answered" for a in calls)
    assert result.totals.values["missed"] == sum(a.outcome in MISSED for a in calls)


def test_a_period_counts_only_its_own_days_on_the_users_clock(staffed):
    generate(staffed)
    result, ctx = run(staffed, "calls_heatmap", "admin@example.com", period="custom", start="2024-02-01", end="2024-06-30")
    inside = [a for a in rows(staffed) if moment_of(a) and ctx.start <= moment_of(a) < ctx.end]
    assert grid_of(result) == expected_grid(inside, None, "Asia/Almaty", "all")


def expected_by_employee(activities, owners, start=None, end=None) -> dict[int, Counter]:
    found: dict[int, Counter] = {}
    for activity in activities:
        moment = moment_of(activity)
        if moment is None or owners is not None and activity.owner_id not in owners:
            continue
        if start is not None and not start <= moment < end:
            continue
        counts = found.setdefault(activity.owner_id, Counter())
        counts[activity.kind] += 1
        counts["answered"] += activity.kind == "call" and activity.outcome == "answered"
        counts["missed"] += activity.kind == "call" and activity.outcome in MISSED
    return found


def figures_by_name(result) -> dict[str, dict[str, int]]:
    names = ("call", "answered", "missed", "meeting", "email", "task")
    return {row.values["employee"]: {n: row.values[n] for n in names} for row in result.rows}


def expected_by_name(app, expected) -> dict[str, dict[str, int]]:
    with app.app_context():
        names = {u.id: u.name or u.email for u in db.session().execute(select(User)).scalars()}
    keys = ("call", "answered", "missed", "meeting", "email", "task")
    return {names[owner]: {k: counts[k] for k in keys} for owner, counts in expected.items()}


@pytest.mark.parametrize("email", ["admin@example.com", "boss@example.com", "north@example.com"])
def test_each_employees_calls_meetings_emails_and_tasks_done_as_the_rows_say_within_what_the_user_sees(staffed, email):
    generate(staffed)
    result, _ctx = run(staffed, "activity", email, period="all")
    expected = expected_by_employee(rows(staffed), seen_by(staffed, email))
    assert figures_by_name(result) == expected_by_name(staffed, expected)


def test_a_manager_counts_the_department_and_an_agent_only_their_own(staffed):
    generate(staffed)
    boss, _ctx = run(staffed, "activity", "boss@example.com", period="all")
    north, _ctx = run(staffed, "activity", "north@example.com", period="all")
    assert set(figures_by_name(boss)) <= {"boss", "north"} and "north" in figures_by_name(boss)
    assert set(figures_by_name(north)) == {"north"}


def test_an_employee_filter_narrows_to_that_employee(staffed):
    generate(staffed)
    with staffed.app_context():
        north_id = user("north@example.com").id
    result, _ctx = run(staffed, "activity", "admin@example.com", period="all", employee=str(north_id))
    assert set(figures_by_name(result)) == {"north"}


def listed(app, email: str, args: dict[str, str]) -> int:
    """How many activities the activity list shows ``email`` for ``args``: the list's own filters
    over what the user sees (crmkit.entities.listing, as the list page applies them)."""
    with app.test_request_context():
        records = records_of(email)
        statement = listing.apply_filters(records.select(), records.entity, args)
        return len(db.session().execute(statement).all())


@pytest.mark.parametrize("email", ["admin@example.com", "boss@example.com"])
def test_every_figure_drills_down_to_a_list_holding_exactly_that_many_activities(staffed, email):
    generate(staffed)
    result, _ctx = run(staffed, "activity", email, period="custom", start="2024-01-01", end="2024-12-31")
    assert result.rows
    for row in [*result.rows, result.totals]:
        assert set(row.drill) == {n for n in ("call", "answered", "missed", "meeting", "email", "task") if row.values[n]}
        for name, args in row.drill.items():
            assert listed(staffed, email, args) == row.values[name], (row.values["employee"], name, args)


def test_hourly_counts_kept_by_every_write_equal_a_recount_from_the_table(staffed):
    generate(staffed)
    with staffed.app_context():
        session = db.session()
        kept = sorted(session.execute(select(rollup.ActivityHour.__table__)).all())
        rollup.rebuild(session)
        session.commit()
        recounted = sorted(session.execute(select(rollup.ActivityHour.__table__)).all())
    assert kept == recounted and kept


def test_recount_command_rebuilds_counts_lost_to_a_raw_write(staffed):
    generate(staffed, count=20)
    with staffed.app_context():
        session = db.session()
        session.execute(rollup.ActivityHour.__table__.delete())
        session.commit()
    result = staffed.test_cli_runner().invoke(args=["activities", "recount"])
    assert result.exit_code == 0, result.output
    with staffed.app_context():
        written = len(db.session().execute(select(rollup.ActivityHour.__table__)).all())
    assert written and f"{written} hourly counts written." in result.output  # PostgreSQL's rowcount of it is -1


def test_heatmap_page_draws_translated_weekdays_without_javascript(staffed):
    generate(staffed, count=30)
    client = client_as(staffed, "admin@example.com", password="a long enough password")
    post(client, "/-/language", {"language": "ru"})
    html = page(client, "/reports/calls_heatmap/?period=all")
    assert "Звонки по часам и дням недели" in html
    chart = client.get("/reports/calls_heatmap/chart.svg?period=all")
    assert chart.status_code == 200 and "<script" not in chart.get_data(as_text=True)
    assert "<title>пн, 09: " in chart.get_data(as_text=True)  # Monday, in Russian


def listed_as(app, email: str, entity_key: str, args: dict[str, str]) -> list[int]:
    """The ids the entity's list shows ``email`` for ``args`` (figures linked through ``in_report``
    too), as the list page applies them."""
    from flask_login import login_user

    with app.test_request_context():
        login_user(user(email))
        records = Records(current_app.extensions["crmkit"].entities.get(entity_key), user(email), db.session())
        statement = listing.apply_filters(records.select(), records.entity, args)
        return [row.id for row in db.session().execute(statement).scalars()]


@pytest.mark.parametrize("email", ["admin@example.com", "boss@example.com"])
def test_every_heatmap_figure_drills_down_to_exactly_its_calls(staffed, email):
    generate(staffed)
    result, _ctx = run(staffed, "calls_heatmap", email, period="custom", start="2024-01-01", end="2024-12-31")
    checked = 0
    for row in [*result.rows, result.totals]:
        assert {name for name, value in row.values.items() if value and name != "hour"} == set(row.drill)
        for name, args in row.drill.items():
            assert len(listed_as(staffed, email, "activity", args)) == row.values[name], (row.values["hour"], name)
            checked += 1
    assert checked > 20


def test_imported_activities_are_counted_as_they_are_written(staffed, tmp_path):
    path = tmp_path / "calls.csv"
    path.write_text("kind,subject,happened_at,outcome\n" + "".join(
        f"call,Call {n},2024-05-0{1 + n % 7}T1{n % 10}:00:00+00:00,{('answered', 'missed', 'busy')[n % 3]}\n" for n in range(30)
    ) + "task,Plan,2024-05-02T09:00:00+00:00,\n", encoding="utf-8")
    result = staffed.test_cli_runner().invoke(args=["import", "activity", str(path)])
    assert result.exit_code == 0, result.output
    with staffed.app_context():
        session = db.session()
        kept = sorted(session.execute(select(rollup.ActivityHour.__table__)).all())
        rollup.rebuild(session)
        session.commit()
        recounted = sorted(session.execute(select(rollup.ActivityHour.__table__)).all())
    assert kept == recounted and sum(row.total for row in kept) == 30
