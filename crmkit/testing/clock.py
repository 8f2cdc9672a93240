"""A frozen clock for tests, on time-machine.

crmkit reads the time through ``datetime.now(UTC)`` (``crmkit.db.utcnow``), ``datetime.now(zone)``
and ``time.time()`` (login steps, TOTP codes, webhook signatures). time-machine replaces those at
the C level, so every one of them, in every module and thread (a live server's too), sees the
frozen time; ``time.monotonic`` and ``time.perf_counter`` keep running, so timeouts still work.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

FROZEN_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday morning, in a month of 31 days


def aware(moment: datetime | str) -> datetime:
    """A datetime from an ISO 8601 string or a datetime; one without a zone is read as UTC."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class FrozenClock:
    """Time stands still at ``start`` until moved: ``move_to(when)`` jumps, ``tick(seconds)`` steps on.

    Use it as the ``frozen_clock`` fixture, or as a context manager: ``with FrozenClock(when): ...``.
    """

    def __init__(self, start: datetime | str = FROZEN_AT):
        self.start_at = aware(start)
        self._travel = None
        self._coordinates = None

    def start(self) -> FrozenClock:
        import time_machine

        self._travel = time_machine.travel(self.start_at, tick=False)
        self._coordinates = self._travel.start()
        return self

    def stop(self) -> None:
        if self._travel is not None:
            self._travel.stop()
            self._travel = self._coordinates = None

    def __enter__(self) -> FrozenClock:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()

    def move_to(self, moment: datetime | str) -> datetime:
        """Jump to ``moment`` (aware, or UTC when it names no zone); returns it."""
        moment = aware(moment)
        self._running().move_to(moment)
        return moment

    def tick(self, delta: timedelta | float = 1) -> datetime:
        """Step on by ``delta`` (a timedelta, or seconds); returns the new time."""
        seconds = delta.total_seconds() if isinstance(delta, timedelta) else float(delta)
        self._running().shift(seconds)
        return self.now()

    def now(self) -> datetime:
        """The frozen time, in UTC."""
        self._running()
        return datetime.now(UTC)

    def _running(self):
        if self._coordinates is None:
            raise RuntimeError("the clock is not started: use it as the frozen_clock fixture or in a with block")
        return self._coordinates
