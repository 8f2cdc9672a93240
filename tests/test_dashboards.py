"""The home page as a dashboard: defaults by how far a user sees, pinning, unpinning and moving
widgets (saved reports among them), per user, and the team's overdue tasks within what each sees."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from crmkit import db
from crmkit.core.home.models import Dashboard
from tests.people import client_as, matrix_staff, page, post
from tests.pipelining import acting_as


@pytest.fixture
def staff(make_app):
    app = make_app()
    matrix_staff(app)
    return app


def funnel(app) -> list[str]:
    """The funnel widget, once the pipelines plugin registers its funnel report (by key)."""
    return ["report.funnel"] if "funnel" in app.extensions["crmkit.reports"] else []


def widgets(client) -> list[str]:
    """The home page's and the reports' widgets, in order (other built-ins, like lead routing, add their own)."""
    return [key for key in every_widget(client) if key.startswith(("home.", "report.", "saved."))]


def every_widget(client) -> list[str]:
    return re.findall(r'data-widget="([^"]+)"', page(client, "/"))


def arrange(client, action: str, key: str = ""):
    return post(client, "/home/widgets", {"action": action, "key": key})


def test_a_manager_starts_with_the_departments_funnel_plan_and_fact_and_overdue_tasks(staff):
    assert widgets(client_as(staff, "boss@example.com")) == ["home.week", *funnel(staff), "report.plan_fact", "home.overdue"]


def test_an_agent_starts_with_my_day_and_their_own_funnel(staff):
    assert widgets(client_as(staff, "north@example.com")) == ["home.week", "home.myday", *funnel(staff)]


def test_unpin_pin_and_move_are_kept_for_that_user_only(staff):
    boss = client_as(staff, "boss@example.com")
    assert arrange(boss, "unpin", "report.plan_fact").status_code == 302
    assert arrange(boss, "pin", "home.myday").status_code == 302
    assert arrange(boss, "up", "home.myday").status_code == 302
    assert widgets(boss) == ["home.week", *funnel(staff), "home.myday", "home.overdue"]
    assert widgets(client_as(staff, "admin@example.com")) == ["home.week", *funnel(staff), "report.plan_fact", "home.overdue"]
    with staff.app_context():
        assert len(db.session().execute(select(Dashboard)).all()) == 1


def test_back_to_the_defaults_forgets_the_arrangement(staff):
    north = client_as(staff, "north@example.com")
    arrange(north, "unpin", "home.myday")
    assert widgets(north) == ["home.week", *funnel(staff)]
    assert arrange(north, "reset").status_code == 302
    assert widgets(north) == ["home.week", "home.myday", *funnel(staff)]


def test_a_widget_unpinned_to_nothing_leaves_an_empty_page_not_the_defaults(staff):
    north = client_as(staff, "north@example.com")
    for key in every_widget(north):
        arrange(north, "unpin", key)
    assert every_widget(north) == []
    assert "dashboard-empty" in page(north, "/")


def save_report(client, key: str, name: str, shared: bool = False, **args) -> int:
    data = {"name": name, **({"shared": "1"} if shared else {}), **args}
    response = post(client, f"/reports/{key}/save", data, f"/reports/{key}/")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return int(re.search(r"saved=(\d+)", response.location).group(1))


def test_any_saved_report_can_be_pinned_and_shows_its_chart_and_table(staff):
    boss = client_as(staff, "boss@example.com")
    saved_id = save_report(boss, "activity", "Calls this year", period="this_year")
    assert arrange(boss, "pin", f"saved.{saved_id}").status_code == 302
    html = page(boss, "/")
    assert widgets(boss)[-1] == f"saved.{saved_id}"
    assert "Calls this year" in html and "/reports/activity/chart.svg?period=this_year" in html
    assert f"/reports/saved/{saved_id}" in html


def test_someone_elses_private_saved_report_cannot_be_pinned(staff):
    boss = client_as(staff, "boss@example.com")
    private = save_report(boss, "activity", "Mine only")
    shared = save_report(boss, "activity", "For everyone", shared=True)
    north = client_as(staff, "north@example.com")
    assert arrange(north, "pin", f"saved.{private}").status_code == 400
    assert arrange(north, "pin", f"saved.{shared}").status_code == 302
    assert f"saved.{shared}" in widgets(north)


def test_arranging_needs_a_known_action_a_known_widget_and_the_csrf_token(staff):
    north = client_as(staff, "north@example.com")
    assert arrange(north, "pin", "no.such.widget").status_code == 400
    assert arrange(north, "explode", "home.myday").status_code == 400
    assert arrange(north, "up", "home.week").status_code == 400  # already first
    token_free = north.post("/home/widgets", data={"action": "unpin", "key": "home.myday"})
    assert token_free.status_code == 400
    assert widgets(north) == ["home.week", "home.myday", *funnel(staff)]


def test_overdue_tasks_of_the_team_are_those_the_manager_sees(staff):
    long_ago = (datetime.now(UTC) - timedelta(days=3)).isoformat()
    for who in ("north", "support", "boss"):
        with acting_as(staff, f"{who}@example.com", "activity") as records:
            records.create({"kind": "task", "subject": f"Overdue of {who}", "happened_at": long_ago})
    html = page(client_as(staff, "boss@example.com"), "/")
    assert "Overdue of north" in html and "Overdue of boss" in html
    assert "Overdue of support" not in html


def test_my_day_widget_counts_the_agents_own_overdue_tasks(staff):
    with acting_as(staff, "north@example.com", "activity") as records:
        records.create({"kind": "task", "subject": "Call the bank", "happened_at": (datetime.now(UTC) - timedelta(days=2)).isoformat()})
    html = page(client_as(staff, "north@example.com"), "/")
    assert "Call the bank" in html and 'class="count alert">1<' in html
