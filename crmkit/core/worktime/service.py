"""Changing the work calendar: checking what an admin typed and saving it whole or not at all.

Every change bumps the settings' ``version`` (creating the row with the defaults on the first
change), is written to the audit log in the same transaction and drops this process's built
calendar, so the next deadline uses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import Any

from sqlalchemy import select

from crmkit import audit
from crmkit.core.org.service import valid_timezone
from crmkit.core.worktime import store
from crmkit.core.worktime.calendar import default_week
from crmkit.core.worktime.names import holidays_named
from crmkit.core.worktime.models import COUNTRIES, DAY_KINDS, SETTINGS_ID, WorktimeDay, WorktimeSettings
from crmkit.db import utcnow
from crmkit.i18n import gettext as _

WEEKDAYS = range(7)


class SetupError(Exception):
    """Bad input: ``errors`` maps each form field to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def clock_time(raw: str | None) -> time | None:
    """``"09:00"`` as a time; None for anything else."""
    raw = (raw or "").strip()
    if len(raw) != 5 or raw[2] != ":":
        return None
    try:
        return time.fromisoformat(raw)
    except ValueError:
        return None


def hours_from(form: Any, prefix: str, errors: dict[str, list[str]]) -> tuple[time, time] | None:
    """The ``<prefix>starts``/``<prefix>ends`` pair, or None with messages added to ``errors``;
    ending at 00:00 means working until midnight."""
    starts, ends = clock_time(form.get(f"{prefix}starts")), clock_time(form.get(f"{prefix}ends"))
    if starts is None:
        errors[f"{prefix}starts"] = [_("Enter a time as HH:MM, e.g. 09:00.")]
    if ends is None:
        errors[f"{prefix}ends"] = [_("Enter a time as HH:MM, e.g. 18:00.")]
    if starts is None or ends is None:
        return None
    if ends != time(0) and ends <= starts:
        errors[f"{prefix}ends"] = [_("The day must end after it starts.")]
        return None
    return starts, ends


def stored_settings(session: Any) -> WorktimeSettings:
    """The settings row, made with the defaults when this is the first change."""
    row = session.get(WorktimeSettings, SETTINGS_ID)
    if row is None:
        week = {str(day): [starts.strftime("%H:%M"), ends.strftime("%H:%M")] for day, (starts, ends) in default_week().items()}
        row = WorktimeSettings(id=SETTINGS_ID, week=week, version=0)
        session.add(row)
    return row


def changed(session: Any, row: WorktimeSettings, user: Any, what: str, **details: Any) -> None:
    row.version += 1
    row.updated_at = utcnow()
    row.updated_by_id = getattr(user, "id", None)
    audit.record("worktime.changed", user=user, commit=False, session=session, what=what, **details)
    session.commit()
    store.forget()


def save_settings(session: Any, form: Any, user: Any) -> WorktimeSettings:
    """Working hours per weekday (``day<N>`` ticked, ``day<N>starts``, ``day<N>ends``), the
    country whose holidays count and the time zone."""
    errors: dict[str, list[str]] = {}
    week: dict[str, list[str]] = {}
    for day in WEEKDAYS:
        if form.get(f"day{day}"):
            hours = hours_from(form, f"day{day}", errors)
            if hours is not None:
                week[str(day)] = [hours[0].strftime("%H:%M"), hours[1].strftime("%H:%M")]
    country = (form.get("country") or "").strip().upper()
    if country and country not in COUNTRIES:
        errors["country"] = [_("Choose a country from the list.")]
    zone = (form.get("timezone") or "").strip() or None
    if zone is not None and not valid_timezone(zone):
        errors["timezone"] = [_("Unknown time zone; use a name such as Asia/Almaty.")]
    if not errors and not week:
        errors["day0"] = [_("Tick at least one working day.")]
    if errors:
        raise SetupError(errors)
    row = stored_settings(session)
    row.week, row.country, row.timezone = week, country, zone
    changed(session, row, user, "hours", country=country, timezone=zone or "")
    return row


def add_day(session: Any, form: Any, user: Any) -> WorktimeDay:
    """A day off or a working day (with its hours) on a date; a date already set is changed."""
    errors: dict[str, list[str]] = {}
    try:
        day = date.fromisoformat((form.get("day") or "").strip())
    except ValueError:
        day = None
        errors["day"] = [_("Enter a date as YYYY-MM-DD.")]
    kind = form.get("kind")
    if kind not in DAY_KINDS:
        errors["kind"] = [_("Choose a day off or a working day.")]
    hours = hours_from(form, "", errors) if kind == "working" else None
    note = (form.get("note") or "").strip()
    if len(note) > 200:
        errors["note"] = [_("Longer than maximum length 200.")]
    if errors:
        raise SetupError(errors)
    found = session.execute(select(WorktimeDay).where(WorktimeDay.day == day)).scalar()
    if found is None:
        found = WorktimeDay(day=day, kind=kind, created_by_id=getattr(user, "id", None))
        session.add(found)
    found.kind, found.note = kind, note
    found.starts, found.ends = hours if hours else (None, None)
    changed(session, stored_settings(session), user, "day", day=day.isoformat(), kind=kind)
    return found


def remove_day(session: Any, found: WorktimeDay, user: Any) -> None:
    day = found.day.isoformat()
    session.delete(found)
    changed(session, stored_settings(session), user, "day_removed", day=day)


@dataclass
class DayRow:
    """One set-apart date of a year, as the admin page lists it."""

    day: date
    kind: str  # off or working
    name: str
    hours: tuple[time, time] | None
    own: WorktimeDay | None  # the admin's row (removable), None for the country's


def year_rows(session: Any, year: int, locale: str) -> list[DayRow]:
    """The year's holidays, transferred working days and the admin's days, by date; the
    admin's own day hides the country's on the same date, as it does in the calendar."""
    row = store.settings(session)
    calendar = store.build(session)
    holidays, weekend_workdays = holidays_named(row.country, year, locale)
    rows = {d: DayRow(d, "off", name, None, None) for d, name in holidays.items()}
    for d in weekend_workdays:
        rows[d] = DayRow(d, "working", _("Transferred working day"), calendar.usual_hours(), None)
    own = select(WorktimeDay).where(WorktimeDay.day >= date(year, 1, 1), WorktimeDay.day <= date(year, 12, 31))
    for found in session.execute(own).scalars():
        hours = (found.starts, found.ends) if found.kind == "working" else None
        name = found.note or (_("Working day") if found.kind == "working" else _("Day off"))
        rows[found.day] = DayRow(found.day, found.kind, name, hours, found)
    return [rows[d] for d in sorted(rows)]
