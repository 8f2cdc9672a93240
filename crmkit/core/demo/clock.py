"""Days and working hours of the demo company, in Asia/Almaty, as the UTC moments the app stores.

Everything is counted in days from ``today`` (negative: the past), so one seed gives the same
company on every run of the same day, and the same year shifted on another day.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Asia/Almaty")
# How busy each hour of a working day is: a slow start, a lunch dip at 13:00, an early finish.
HOUR_WEIGHTS = {9: 2, 10: 4, 11: 5, 12: 4, 13: 1, 14: 4, 15: 5, 16: 5, 17: 3, 18: 1}
HOURS, WEIGHTS = tuple(HOUR_WEIGHTS), tuple(HOUR_WEIGHTS.values())


class Clock:
    def __init__(self, rng: random.Random, today: date):
        self.rng = rng
        self.today = today
        self.midnight = self.at(0, time(0, 0))  # today's start: everything before it has happened

    def at(self, day: int, moment: time) -> datetime:
        """The UTC moment of a local time ``day`` days from today."""
        local = datetime.combine(self.today + timedelta(days=day), moment, tzinfo=ZONE)
        return local.astimezone(UTC)

    def working_day(self, low: int, high: int) -> int:
        """A day in [low, high] from today, Monday to Friday (now and then a Saturday, never a Sunday).

        When the range is a weekend, the Friday before it: a day early is better than a Sunday.
        """
        for _attempt in range(12):
            day = self.rng.randint(low, high)
            weekday = (self.today + timedelta(days=day)).weekday()
            if weekday < 5 or (weekday == 5 and self.rng.random() < 0.1):
                return day
        weekday = (self.today + timedelta(days=high)).weekday()
        return high - max(weekday - 4, 0)

    def working_time(self, day: int, step: int = 1, seconds: bool = False) -> datetime:
        """A moment in the working hours of ``day``, its minutes rounded to ``step``."""
        hour = self.rng.choices(HOURS, WEIGHTS)[0]
        minute = self.rng.randrange(0, 60, step)
        second = self.rng.randrange(60) if seconds else 0
        return self.at(day, time(hour, minute, second))

    def month(self, moment: datetime, back: int = 0) -> int:
        """The local month of ``moment`` (0-11), ``back`` months earlier."""
        return (moment.astimezone(ZONE).month - 1 - back) % 12
