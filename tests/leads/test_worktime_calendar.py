"""The work calendar's arithmetic (crmkit.core.worktime.calendar), without a database: Monday to
Friday 09:00-18:00 in Asia/Almaty with Kazakhstan's public holidays unless a test says otherwise.

Dates used: Friday 2026-03-06; 2026-03-09 (Monday) is a day off for International Women's Day
(8 March fell on a Sunday); 21-25 March 2026 are Nowruz days off; Almaty moved from UTC+6 to UTC+5
on 2024-03-01."""

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from crmkit.core.worktime.calendar import Calendar, Holidays, NoWorkingTime, default_week

ALMATY = ZoneInfo("Asia/Almaty")


def at(text: str, zone=ALMATY) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def kz():
    return Calendar(ALMATY, default_week(), Holidays("KZ"))


@pytest.fixture
def plain():
    return Calendar(ALMATY, default_week())


# is_working_time
def test_within_hours_on_a_weekday_is_working_time(kz):
    assert kz.is_working_time(at("2026-03-05T10:00"))


def test_opening_is_working_and_closing_is_not(kz):
    assert kz.is_working_time(at("2026-03-05T09:00"))
    assert not kz.is_working_time(at("2026-03-05T18:00"))
    assert not kz.is_working_time(at("2026-03-05T08:59:59"))


def test_a_weekend_is_not_working_time(kz):
    assert not kz.is_working_time(at("2026-03-07T12:00"))


def test_a_public_holiday_is_not_working_time(kz):
    assert not kz.is_working_time(at("2026-03-09T12:00"))  # moved day off for 8 March


def test_any_zone_of_the_moment_is_read_on_the_calendars_clock(kz):
    assert kz.is_working_time(utc("2026-03-05T04:00"))  # 09:00 in Almaty
    assert not kz.is_working_time(utc("2026-03-05T13:00"))  # 18:00 in Almaty


def test_a_naive_moment_is_refused(kz):
    with pytest.raises(ValueError, match="aware"):
        kz.is_working_time(datetime(2026, 3, 5, 10))


# add_working_minutes
def test_minutes_within_the_day(kz):
    assert kz.add_working_minutes(at("2026-03-05T10:00"), 30) == at("2026-03-05T10:30").astimezone(UTC)


def test_the_answer_is_in_utc(kz):
    assert kz.add_working_minutes(at("2026-03-05T10:00"), 30).tzinfo == UTC


def test_minutes_over_the_weekend(kz):
    assert kz.add_working_minutes(at("2026-03-13T17:45"), 30) == at("2026-03-16T09:15")


def test_minutes_over_a_weekend_and_a_holiday(kz):
    assert kz.add_working_minutes(at("2026-03-06T17:45"), 30) == at("2026-03-10T09:15")  # Monday 9 March off


def test_started_outside_hours_counts_from_the_next_opening(kz):
    assert kz.add_working_minutes(at("2026-03-05T20:00"), 30) == at("2026-03-06T09:30")
    assert kz.add_working_minutes(at("2026-03-05T07:00"), 30) == at("2026-03-05T09:30")
    assert kz.add_working_minutes(at("2026-03-14T11:00"), 30) == at("2026-03-16T09:30")  # a Saturday


def test_work_ending_at_closing_time_ends_then(kz):
    assert kz.add_working_minutes(at("2026-03-05T17:30"), 30) == at("2026-03-05T18:00")


def test_a_full_week_of_minutes(kz):
    assert kz.add_working_minutes(at("2026-03-02T09:00"), 5 * 9 * 60) == at("2026-03-06T18:00")


def test_nowruz_week_is_skipped(kz):
    assert kz.add_working_minutes(at("2026-03-20T17:00"), 120) == at("2026-03-26T10:00")


def test_zero_minutes_is_the_start_itself_even_outside_hours(kz):
    assert kz.add_working_minutes(at("2026-03-07T23:00"), 0) == at("2026-03-07T23:00")


def test_negative_minutes_are_refused(kz):
    with pytest.raises(ValueError):
        kz.add_working_minutes(at("2026-03-05T10:00"), -1)


def test_fractions_of_a_minute(kz):
    assert kz.add_working_minutes(at("2026-03-05T10:00"), 0.5) == at("2026-03-05T10:00:30")


def test_the_almaty_offset_change_of_march_2024(plain):
    # 29 February 2024 closed at 18:00+06 (12:00 UTC); 1 March, the first day at UTC+5, opened at 04:00 UTC
    assert plain.add_working_minutes(utc("2024-02-29T11:30"), 60) == utc("2024-03-01T04:30")
    assert plain.working_seconds_between(utc("2024-02-29T03:00"), utc("2024-03-01T13:00")) == 2 * 9 * 3600


def test_a_zone_with_summer_time_counts_the_clock(plain):
    berlin = plain.in_zone(ZoneInfo("Europe/Berlin"))  # clocks went forward on Sunday 29 March 2026
    assert berlin.add_working_minutes(at("2026-03-27T17:30", ZoneInfo("Europe/Berlin")), 60) == utc("2026-03-30T07:30")


def test_a_calendar_with_no_working_time_says_so():
    with pytest.raises(NoWorkingTime):
        Calendar(ALMATY, {}).add_working_minutes(at("2026-03-05T10:00"), 1)


# add_working_days
def test_one_working_day_later_on_a_weekday(kz):
    assert kz.add_working_days(at("2026-03-04T14:00"), 1) == at("2026-03-05T14:00")


def test_friday_plus_one_is_monday(kz):
    assert kz.add_working_days(at("2026-03-13T14:00"), 1) == at("2026-03-16T14:00")


def test_saturday_plus_one_is_monday(kz):
    assert kz.add_working_days(at("2026-03-14T14:00"), 1) == at("2026-03-16T14:00")


def test_working_days_skip_holidays(kz):
    assert kz.add_working_days(at("2026-03-05T10:00"), 3) == at("2026-03-11T10:00")  # Fri, Tue, Wed


def test_zero_days_keeps_a_working_day_and_moves_a_day_off(kz):
    assert kz.add_working_days(at("2026-03-05T10:00"), 0) == at("2026-03-05T10:00")
    assert kz.add_working_days(at("2026-03-07T10:00"), 0) == at("2026-03-10T10:00")  # Sat -> Tue (Mon off)


def test_negative_days_count_back(kz):
    assert kz.add_working_days(at("2026-03-10T10:00"), -1) == at("2026-03-06T10:00")


def test_days_must_be_whole(kz):
    with pytest.raises(TypeError):
        kz.add_working_days(at("2026-03-05T10:00"), 1.5)


def test_the_clock_time_stays_across_the_offset_change(plain):
    assert plain.add_working_days(at("2024-02-29T10:00"), 1) == at("2024-03-01T10:00")
    assert plain.add_working_days(at("2024-02-29T10:00"), 1) == utc("2024-03-01T05:00")


# working_seconds_between
def test_seconds_within_a_day(kz):
    assert kz.working_seconds_between(at("2026-03-05T10:00"), at("2026-03-05T11:30")) == 5400


def test_seconds_outside_hours_do_not_count(kz):
    assert kz.working_seconds_between(at("2026-03-05T17:00"), at("2026-03-06T10:00")) == 2 * 3600


def test_seconds_over_a_weekend_and_a_holiday(kz):
    assert kz.working_seconds_between(at("2026-03-06T17:00"), at("2026-03-10T10:00")) == 2 * 3600


def test_seconds_backwards_are_negative(kz):
    assert kz.working_seconds_between(at("2026-03-05T11:30"), at("2026-03-05T10:00")) == -5400


def test_no_seconds_between_a_moment_and_itself(kz):
    assert kz.working_seconds_between(at("2026-03-05T10:00"), at("2026-03-05T10:00")) == 0


def test_seconds_of_a_whole_year(kz):
    year = kz.working_seconds_between(at("2026-01-01T00:00"), at("2027-01-01T00:00"))
    days = sum(1 for n in range(365) if kz.is_working_day(date(2026, 1, 1) + timedelta(days=n)))
    assert year == days * 9 * 3600 and 240 < days < 255


def test_seconds_agree_with_minutes_added(kz):
    start = at("2026-03-06T16:10")
    assert kz.working_seconds_between(start, kz.add_working_minutes(start, 777)) == 777 * 60


def test_seconds_accept_any_zone(kz):
    assert kz.working_seconds_between(utc("2026-03-05T04:00"), at("2026-03-05T10:00", timezone(timedelta(hours=5)))) == 3600


# the admin's own days and the country's transferred days
def test_an_admin_day_off_is_skipped():
    calendar = Calendar(ALMATY, default_week(), Holidays("KZ"), days_off=frozenset({date(2026, 3, 5)}))
    assert calendar.add_working_minutes(at("2026-03-04T17:30"), 60) == at("2026-03-06T09:30")


def test_an_admin_working_day_wins_over_a_holiday_with_its_own_hours():
    calendar = Calendar(ALMATY, default_week(), Holidays("KZ"), working_days={date(2026, 3, 9): (time(10), time(14))})
    assert calendar.is_working_time(at("2026-03-09T11:00"))
    assert not calendar.is_working_time(at("2026-03-09T15:00"))
    assert calendar.add_working_minutes(at("2026-03-06T17:30"), 60) == at("2026-03-09T10:30")


def test_a_transferred_working_saturday_of_the_country_is_worked():
    calendar = Calendar(ALMATY, default_week(), Holidays("RU"))
    assert calendar.is_working_time(at("2025-11-01T10:00"))  # Russia worked Saturday 1 November 2025


def test_a_day_worked_until_midnight():
    calendar = Calendar(ALMATY, {3: (time(20), time(0))})
    assert calendar.add_working_minutes(at("2026-03-05T23:30"), 60) == at("2026-03-12T20:30")
    assert calendar.is_working_time(at("2026-03-05T23:59"))


def test_without_a_country_holidays_are_working_days(plain):
    assert plain.is_working_time(at("2026-03-09T12:00"))
