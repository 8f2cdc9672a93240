"""The work calendar's arithmetic, free of the database and of Flask: a ``Calendar`` is built from
the stored settings (crmkit/core/worktime/store.py) and answers in microseconds.

A day is worked from ``starts`` to ``ends`` on its own clock, in the calendar's time zone; the
intervals are turned into UTC instants before any sum, so a day that a time-zone change shortens
or lengthens (Asia/Almaty moved from UTC+6 to UTC+5 on 2024-03-01; zones with summer time) counts
what the clock really ran. Whether a date is worked, first rule that speaks wins:

1. a day the admin marked as working (a transferred working Saturday), with its own hours;
2. a day the admin marked as a day off;
3. a public holiday of the country's calendar (the ``holidays`` library: KZ, RU);
4. a weekend day the country's calendar declares working (a transferred day), with the usual hours;
5. the weekday's hours, or none (a day off).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_DAYS = 3660  # ten years: a search for working time gives up after this, on a calendar that has none
DAY = timedelta(days=1)
Hours = tuple[time, time]  # starts, ends; ends at 00:00 means midnight at the end of the day


class NoWorkingTime(ValueError):
    """The calendar has no working time within ten years of the moment asked about."""


@dataclass(frozen=True)
class Holidays:
    """The public holidays and transferred working days of one country, looked up year by year."""

    country: str | None
    _years: dict[int, tuple[dict[date, str], frozenset[date]]] = field(default_factory=dict, compare=False, repr=False)

    def year(self, year: int) -> tuple[dict[date, str], frozenset[date]]:
        found = self._years.get(year)
        if found is None:
            found = self._years[year] = load_country(self.country, year)
        return found

    def holiday(self, day: date) -> str | None:
        return self.year(day.year)[0].get(day)

    def working_weekend(self, day: date) -> bool:
        return day in self.year(day.year)[1]


def load_country(country: str | None, year: int, language: str | None = None) -> tuple[dict[date, str], frozenset[date]]:
    """The holidays (date to name) and the weekend days declared working of ``country`` in ``year``."""
    if not country:
        return {}, frozenset()
    import holidays  # a large import, paid once and only when a country is set

    found = holidays.country_holidays(country, years=year, language=language)
    return dict(found.items()), frozenset(d for d in found.weekend_workdays if d.year == year)


def require_aware(moment: datetime, name: str = "moment") -> None:
    if not isinstance(moment, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime (with a time zone); {moment.isoformat()} has none")


@dataclass(frozen=True)
class Calendar:
    """Working hours per weekday (0 Monday .. 6 Sunday), a country's holidays and the admin's own
    days off (``days_off``) and working days (``working_days``, each with its hours)."""

    zone: ZoneInfo
    week: Mapping[int, Hours]
    holidays: Holidays = field(default_factory=lambda: Holidays(None))
    days_off: frozenset[date] = frozenset()
    working_days: Mapping[date, Hours] = field(default_factory=dict)

    def in_zone(self, zone: ZoneInfo) -> Calendar:
        """The same hours and days on another clock (an office in another time zone)."""
        return Calendar(zone, self.week, self.holidays, self.days_off, self.working_days)

    # days
    def usual_hours(self) -> Hours | None:
        """The hours of a transferred working day: Monday's, else the first worked weekday's."""
        return next((self.week[d] for d in range(7) if d in self.week), None)

    def hours_on(self, day: date) -> Hours | None:
        """The hours worked on ``day``, or None for a day off (see the module's rules)."""
        if day in self.working_days:
            return self.working_days[day]
        if day in self.days_off or self.holidays.holiday(day) is not None:
            return None
        if day.weekday() not in self.week and self.holidays.working_weekend(day):
            return self.usual_hours()
        return self.week.get(day.weekday())

    def is_working_day(self, day: date) -> bool:
        return self.hours_on(day) is not None

    def interval(self, day: date) -> tuple[datetime, datetime] | None:
        """The UTC instants ``day``'s work starts and ends, or None on a day off."""
        hours = self.hours_on(day)
        if hours is None:
            return None
        starts, ends = hours
        start = datetime.combine(day, starts, self.zone).astimezone(UTC)
        end_day = day + DAY if ends == time(0) else day
        return start, datetime.combine(end_day, ends, self.zone).astimezone(UTC)

    def intervals(self, first: date, step: int = 1) -> Iterator[tuple[datetime, datetime]]:
        """Working intervals from ``first`` on (``step`` -1: backwards), for at most ten years."""
        day = first
        for _ in range(MAX_DAYS):
            found = self.interval(day)
            if found is not None:
                yield found
            day += DAY * step
        raise NoWorkingTime(f"no working time within {MAX_DAYS} days of {first.isoformat()}")

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    # the four answers
    def is_working_time(self, moment: datetime) -> bool:
        require_aware(moment)
        found = self.interval(self.local_date(moment))
        return found is not None and found[0] <= moment < found[1]

    def add_working_minutes(self, start: datetime, minutes: float) -> datetime:
        """The instant ``minutes`` of working time after ``start``; 0 gives ``start`` itself.
        Work that ends exactly at closing time ends then, not at the next opening."""
        require_aware(start, "start")
        if minutes < 0:
            raise ValueError("minutes must be zero or more")
        moment = start.astimezone(UTC)
        left = timedelta(minutes=minutes)
        if not left:
            return moment
        for begins, ends in self.intervals(self.local_date(moment)):
            if ends <= moment:
                continue
            begins = max(begins, moment)
            if left <= ends - begins:
                return begins + left
            left -= ends - begins
        raise AssertionError("unreachable")  # pragma: no cover - intervals() raises first

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The same clock time ``days`` working days later (earlier when negative). Counting
        starts from ``start``'s date, so Friday + 1 and Saturday + 1 are both Monday; 0 keeps a
        working day's date and moves a day off to the next working day."""
        require_aware(start, "start")
        if not isinstance(days, int) or isinstance(days, bool):
            raise TypeError("days must be a whole number")
        local = start.astimezone(self.zone)
        day = local.date()
        step = 1 if days >= 0 else -1
        count = abs(days)
        if days == 0:
            if self.is_working_day(day):
                return start.astimezone(UTC)
            count = 1
        for _ in range(MAX_DAYS):
            day += DAY * step
            if self.is_working_day(day):
                count -= 1
                if count == 0:
                    return datetime.combine(day, local.time(), self.zone).astimezone(UTC)
        raise NoWorkingTime(f"no working day within {MAX_DAYS} days of {local.date().isoformat()}")

    def working_seconds_between(self, a: datetime, b: datetime) -> int:
        """The whole seconds of working time from ``a`` to ``b``; negative when ``b`` is earlier."""
        require_aware(a, "a")
        require_aware(b, "b")
        if b < a:
            return -self.working_seconds_between(b, a)
        a, b = a.astimezone(UTC), b.astimezone(UTC)
        total = timedelta(0)
        day, last = self.local_date(a), self.local_date(b)
        while day <= last:
            found = self.interval(day)
            if found is not None:
                begins, ends = max(found[0], a), min(found[1], b)
                if ends > begins:
                    total += ends - begins
            day += DAY
        return int(total.total_seconds())


def week_from(raw: Mapping[str, list[str]] | None, default: Callable[[], dict[int, Hours]]) -> dict[int, Hours]:
    """Stored hours (``{"0": ["09:00", "18:00"], ...}``) as the calendar's ``week``."""
    if raw is None:
        return default()
    return {int(day): (time.fromisoformat(pair[0]), time.fromisoformat(pair[1])) for day, pair in raw.items()}


def default_week() -> dict[int, Hours]:
    """Monday to Friday, 09:00 to 18:00."""
    return {day: (time(9), time(18)) for day in range(5)}
