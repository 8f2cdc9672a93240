"""The home page's figures of the week: calls, missed calls, meetings and new clients of the records
each user sees (an agent their own, a manager their department, an admin everyone's), each equal
to a count made here from the records themselves, and for a manager one row per employee."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask_login import login_user
from sqlalchemy import select

from crmkit import db
from crmkit.core.auth.models import User
from crmkit.core.home import figures
from tests.people import client_as, matrix_staff, page
from tests.pipelining import acting_as

NOW = datetime(2026, 12, 9, 9, 0, tzinfo=UTC)  # a Wednesday, 14:00 in Almaty
MONDAY = datetime(2026, 12, 6, 19, 0, tzinfo=UTC)  # Monday 00:00 in Almaty
# (owner, kind, outcome, when): two this week for north, one last week, one for support
WORK = [
    ("north", "call", "answered", MONDAY + timedelta(hours=5)),
    ("north", "call", "missed", MONDAY + timedelta(days=1, hours=4)),
    ("north", "meeting", None, MONDAY + timedelta(days=2, hours=2)),
    ("north", "call", "answered", MONDAY - timedelta(hours=2)),  # Sunday: last week
    ("support", "call", "answered", MONDAY + timedelta(hours=6)),
    ("boss", "meeting", None, MONDAY + timedelta(hours=8)),
]


@pytest.fixture
def staff(make_app, frozen_clock):
    frozen_clock.move_to(NOW)
    app = make_app(CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")
    matrix_staff(app)
    for who, kind, outcome, when in WORK:
        with acting_as(app, f"{who}@example.com", "activity") as records:
            records.create({"kind": kind, "subject": f"{kind} of {who}", "happened_at": when.isoformat(),
                            **({"outcome": outcome, "direction": "outbound"} if outcome else {})})
    for who, name in (("north", "Client of north"), ("support", "Client of support"), ("north", "Not a client")):
        with acting_as(app, f"{who}@example.com", "organization") as records:
            records.create({"name": name, "is_client": name != "Not a client"})
    return app


def week_of(app, email: str, team: bool = False) -> figures.Week:
    with app.test_request_context():
        user = db.session().execute(select(User).where(User.email == email)).scalar_one()
        login_user(user)
        return figures.week(user, team)


def test_an_agent_counts_their_own_week_only(staff):
    found = week_of(staff, "north@example.com")
    assert {k: found.totals[k] for k in ("call", "missed", "meeting", "clients")} == {
        "call": 2, "missed": 1, "meeting": 1, "clients": 1}


def test_a_manager_counts_the_department_and_sees_each_employee(staff):
    found = week_of(staff, "boss@example.com", team=True)
    assert (found.totals["call"], found.totals["meeting"], found.totals["clients"]) == (2, 2, 1)
    rows = {row["name"]: row for row in found.team}
    assert (rows["north@example.com"]["call"], rows["north@example.com"]["clients"]) == (2, 1)
    assert rows["boss@example.com"]["meeting"] == 1
    assert "support@example.com" not in rows  # another department


def test_an_admin_counts_everyone(staff):
    found = week_of(staff, "admin@example.com", team=True)
    assert (found.totals["call"], found.totals["missed"], found.totals["clients"]) == (3, 1, 2)


def test_each_figure_links_to_the_list_of_what_it_counts(staff):
    north = client_as(staff, "north@example.com")
    home = page(north, "/")
    calls = re.search(r'<dt>Calls</dt>\s*<dd><a href="([^"]+)">2</a>', home)
    assert calls, "the week's calls are not on the home page"
    listed = page(north, calls.group(1).replace("&amp;", "&"))
    assert listed.count(">call of north</td>") == 2
    clients = re.search(r'<dt>New clients: organizations</dt>\s*<dd><a href="([^"]+)">1</a>', home)
    assert clients and "Client of north" in page(north, clients.group(1).replace("&amp;", "&"))


def test_a_manager_s_home_shows_the_team_table_and_an_agent_s_does_not(staff):
    assert "Tasks done" in page(client_as(staff, "boss@example.com"), "/")
    assert "Tasks done" not in page(client_as(staff, "north@example.com"), "/")
