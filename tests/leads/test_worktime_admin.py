"""The instance's work calendar: its defaults, the admin page that changes it, and the public
functions (crmkit.api) that count by it."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from crmkit import api, db
from crmkit.core.audit.models import AuditEntry
from crmkit.core.worktime.models import WorktimeDay, WorktimeSettings
from crmkit.testing import csrf_token

ALMATY = ZoneInfo("Asia/Almaty")
PAGE = "/admin/worktime/"
WEEKDAYS = {f"day{d}": "1" for d in range(5)} | {f"day{d}starts": "09:00" for d in range(7)} | {f"day{d}ends": "18:00" for d in range(7)}


@pytest.fixture
def app(make_app):
    return make_app(DEFAULT_LOCALE="en")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ALMATY)


def post(client, url, **fields):
    return client.post(url, data={"csrf_token": csrf_token(client, PAGE), **fields})


def in_app(app, function, *args):
    with app.app_context():
        return function(*args)


def test_the_default_calendar_is_weekdays_nine_to_six_with_kazakh_holidays(app):
    assert in_app(app, api.add_working_minutes, at("2026-03-06T17:45"), 30) == at("2026-03-10T09:15")


def test_the_public_functions_answer_in_utc(app):
    assert in_app(app, api.add_working_days, at("2026-03-12T14:00"), 1).tzinfo == UTC
    assert in_app(app, api.add_working_days, at("2026-03-13T14:00"), 1) == at("2026-03-16T14:00")
    assert in_app(app, api.working_seconds_between, at("2026-03-05T17:00"), at("2026-03-06T10:00")) == 7200
    assert in_app(app, api.is_working_time, at("2026-03-05T10:00"))


def test_the_calendar_follows_the_deployments_time_zone(make_app):
    moscow = make_app(DEFAULT_TIMEZONE="Europe/Moscow")
    assert in_app(moscow, api.is_working_time, datetime(2026, 3, 5, 6, 30, tzinfo=UTC))  # 09:30 in Moscow
    assert not in_app(moscow, api.is_working_time, datetime(2026, 3, 5, 5, 30, tzinfo=UTC))  # 08:30 in Moscow


def test_the_admin_page_shows_the_hours_and_the_years_holidays(app, admin_client):
    page = admin_client.get(PAGE + "?year=2026").get_data(as_text=True)
    assert 'name="day0" value="1"' in page and "Nowruz" in page and 'datetime="2026-03-21"' in page


def test_holidays_are_named_in_the_readers_language(app, client_for, make_user):
    admin = make_user("admin", locale="ru")
    page = client_for(admin).get(PAGE + "?year=2026", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "Nowruz Holiday" not in page


def test_saving_working_hours_changes_the_deadlines(app, admin_client):
    fields = {**WEEKDAYS, "day5": "1", "day5starts": "10:00", "day5ends": "14:00", "country": "KZ", "timezone": ""}
    assert post(admin_client, PAGE, **fields).status_code == 302
    assert in_app(app, api.add_working_minutes, at("2026-03-13T17:45"), 30) == at("2026-03-14T10:15")  # a Saturday


def test_a_bad_time_saves_nothing_and_says_why(app, admin_client):
    response = post(admin_client, PAGE, **{**WEEKDAYS, "day0ends": "08:00", "country": "KZ"})
    assert response.status_code == 422
    assert "The day must end after it starts." in response.get_data(as_text=True)
    assert in_app(app, lambda: db.session().get(WorktimeSettings, 1)) is None


def test_an_unknown_time_zone_is_refused(app, admin_client):
    response = post(admin_client, PAGE, **{**WEEKDAYS, "country": "KZ", "timezone": "Mars/Olympus"})
    assert response.status_code == 422 and "Unknown time zone" in response.get_data(as_text=True)


def test_a_week_without_working_days_is_refused(app, admin_client):
    response = post(admin_client, PAGE, country="KZ")
    assert response.status_code == 422 and "Tick at least one working day." in response.get_data(as_text=True)


def test_no_country_makes_holidays_working_days(app, admin_client):
    post(admin_client, PAGE, **WEEKDAYS, country="")
    assert in_app(app, api.is_working_time, at("2026-03-09T12:00"))


def test_an_admin_day_off_is_skipped(app, admin_client):
    assert post(admin_client, PAGE + "days", day="2026-03-05", kind="off", note="Corporate day").status_code == 302
    assert in_app(app, api.add_working_minutes, at("2026-03-04T17:30"), 60) == at("2026-03-06T09:30")
    assert "Corporate day" in admin_client.get(PAGE + "?year=2026").get_data(as_text=True)


def test_an_admin_working_day_wins_over_a_holiday(app, admin_client):
    post(admin_client, PAGE + "days", day="2026-03-09", kind="working", starts="10:00", ends="14:00")
    assert in_app(app, api.is_working_time, at("2026-03-09T11:00"))
    assert not in_app(app, api.is_working_time, at("2026-03-09T15:00"))


def test_removing_a_day_gives_it_back_to_the_usual_rules(app, admin_client):
    post(admin_client, PAGE + "days", day="2026-03-09", kind="working", starts="10:00", ends="14:00")
    day_id = in_app(app, lambda: db.session().execute(select(WorktimeDay.id)).scalar())
    assert post(admin_client, f"{PAGE}days/{day_id}/delete").status_code == 302
    assert not in_app(app, api.is_working_time, at("2026-03-09T11:00"))


def test_a_bad_day_saves_nothing(app, admin_client):
    response = post(admin_client, PAGE + "days", day="2026-02-30", kind="working", starts="18:00", ends="09:00")
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "Enter a date as YYYY-MM-DD." in body and "The day must end after it starts." in body
    assert in_app(app, lambda: db.session().execute(select(func.count()).select_from(WorktimeDay)).scalar()) == 0


def test_changes_are_in_the_audit_log(app, admin_client):
    post(admin_client, PAGE + "days", day="2026-03-05", kind="off")
    actions = in_app(app, lambda: list(db.session().execute(select(AuditEntry.action)).scalars()))
    assert "worktime.changed" in actions


@pytest.mark.parametrize("role", ["manager", "agent"])
def test_only_admins_change_the_calendar(app, client_for, role):
    client = client_for(role)
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE + "days", data={"day": "2026-03-05", "kind": "off"}).status_code in (400, 403)
