"""The activity reports: what each employee did in a period, and calls by hour and weekday.

Both read the hourly counts (crmkit/core/activities/rollup.py), never the activity table: a
period's figures are a sum over owners x hours, whatever the number of activities. Visibility
is the activity entity's (a manager counts their department, an agent their own), applied in the
same SQL through the counts' owner.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from babel.dates import get_day_names
from flask_babel import get_locale
from sqlalchemy import case, false, func, literal, select

from crmkit.core.activities.models import Activity
from crmkit.core.activities.rollup import MISSED, SECONDS, ActivityHour, hour_expression
from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_gettext as _l
from crmkit.reports import Chart, Column, Filter, Report, Result, Row, Series
from crmkit.reports.timezones import EARLIEST, offsets

HOURS = range(24)
WEEK = 7 * 24
THURSDAY = 3 * 24  # 1970-01-01, hour 0 of the counts, was a Thursday: hours from the Monday before
CALLS = (("all", _l("All calls")), ("answered", _l("Answered calls")), ("missed", _l("Missed, busy or not answered")))
KINDS = (("call", _l("Calls")), ("meeting", _l("Meetings")), ("email", _l("Emails")), ("task", _l("Tasks done")))


def hour_bounds(ctx) -> list[Any]:
    """The period as a range of counted hours (a period starts and ends on the hour in every zone
    whose offset is whole hours; in others, the hour holding its start)."""
    table = ActivityHour.__table__
    found = []
    if ctx.start is not None:
        found.append(table.c.hour >= int(ctx.start.timestamp()) // SECONDS)
    if ctx.end is not None:
        found.append(table.c.hour < int(ctx.end.timestamp()) // SECONDS)
    return found


def owner_conditions(ctx, table=None) -> list[Any]:
    """The activities the user sees, narrowed by the bar's office, department and employee (over
    the counts, or over the activity table)."""
    table = ActivityHour.__table__ if table is None else table
    found = [ctx.visible("activity", table.c.owner_id)]
    owners = ctx.owners()
    if owners is not None:
        found.append(table.c.owner_id.in_(sorted(owners)) if owners else false())
    return found


def local_hour_of_week(ctx, hour_column) -> Any:
    """The hour of the user's week (0 = Monday 00:00 .. 167) an hour of the counts falls in, by
    the zone's offset at that hour (a CASE over the offset changes within the period)."""
    start = (ctx.start or EARLIEST).astimezone(UTC)
    end = (ctx.end or ctx.now + timedelta(days=366)).astimezone(UTC)
    changes = offsets(ctx.zone, start, end)
    minutes = [(until, seconds // 60) for until, seconds in changes]
    if len(minutes) == 1:
        offset = literal(minutes[0][1])
    else:
        offset = case(*[(hour_column < int(until.timestamp()) // SECONDS, m) for until, m in minutes[:-1]],
                      else_=minutes[-1][1])
    return ((hour_column * 60 + offset) // 60 + THURSDAY) % WEEK


def day_names() -> list[str]:
    names = get_day_names("abbreviated", context="stand-alone", locale=get_locale())
    return [names[i] for i in range(7)]


# calls by hour and weekday
def calls_grid(ctx) -> dict[str, list[list[int]]]:
    """``{"all"|"answered"|"missed": 7 x 24 counts}``, weekdays from Monday, hours of the user's clock."""
    table = ActivityHour.__table__
    slot = local_hour_of_week(ctx, table.c.hour).label("slot")
    query = (
        select(slot, func.sum(table.c.total), func.sum(table.c.answered), func.sum(table.c.missed))
        .where(table.c.kind == "call", *hour_bounds(ctx), *owner_conditions(ctx))
        .group_by(slot)
    )
    grid = {name: [[0] * 24 for _ in range(7)] for name, _label in CALLS}
    for position, total, answered, missed in ctx.db.execute(query):
        day, hour = divmod(int(position), 24)
        grid["all"][day][hour] += int(total or 0)
        grid["answered"][day][hour] += int(answered or 0)
        grid["missed"][day][hour] += int(missed or 0)
    return grid


def calls_heatmap(ctx) -> Result:
    grid = calls_grid(ctx)
    shown = ctx.values.get("calls") if ctx.values.get("calls") in grid else "all"
    days = day_names()
    hours = [f"{h:02d}" for h in HOURS]
    columns = [Column("hour", _l("Hour"), "text"), *(Column(f"d{d}", days[d]) for d in range(7)),
               Column("total", _l("Total")), Column("answered", _l("Answered calls")), Column("missed", _l("Missed calls"))]
    rows = []
    for hour in HOURS:
        values: dict[str, Any] = {"hour": f"{hour:02d}:00"}
        values.update({f"d{d}": grid[shown][d][hour] for d in range(7)})
        values["total"] = sum(grid[shown][d][hour] for d in range(7))
        values["answered"] = sum(grid["answered"][d][hour] for d in range(7))
        values["missed"] = sum(grid["missed"][d][hour] for d in range(7))
        drill = {f"d{d}": ctx.members_args(day=d, hour=hour, calls=shown) for d in range(7)}
        drill |= {"total": ctx.members_args(hour=hour, calls=shown), "answered": ctx.members_args(hour=hour, calls="answered"),
                  "missed": ctx.members_args(hour=hour, calls="missed")}
        rows.append(Row(values, linked(values, drill)))
    totals = {"hour": _("Total")}
    for column in columns[1:]:
        totals[column.name] = sum(row.values[column.name] for row in rows)
    drill = {f"d{d}": ctx.members_args(day=d, calls=shown) for d in range(7)}
    drill |= {"total": ctx.members_args(calls=shown), "answered": ctx.members_args(calls="answered"),
              "missed": ctx.members_args(calls="missed")}
    title = dict(CALLS)[shown]
    chart = Chart("heatmap", hours, [Series(days[d], grid[shown][d]) for d in range(7)], title=title)
    return Result(columns, rows, chart, Row(totals, linked(totals, drill)))


def linked(values: dict[str, Any], drill: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Drill-downs of the figures that are not zero (an empty list says nothing a 0 doesn't)."""
    return {name: args for name, args in drill.items() if values.get(name)}


def calls_members(ctx, figure: dict[str, str]):
    """The calls behind a heatmap figure (a weekday and hour, an hour, a weekday, all; answered,
    missed or all), read from the activity table with the counts' own rule: the hour a call
    happened in, placed on the user's clock by the zone's offset at that hour."""
    table = Activity.__table__
    hour = hour_expression(ctx.db, table.c.happened_at)
    slot = local_hour_of_week(ctx, hour)
    query = select(table.c.id).where(table.c.kind == "call", table.c.archived_at.is_(None), table.c.happened_at.is_not(None),
                                     *owner_conditions(ctx, table))
    if ctx.start is not None:
        query = query.where(table.c.happened_at >= hour_start(ctx.start))
    if ctx.end is not None:
        query = query.where(table.c.happened_at < hour_start(ctx.end))
    if figure.get("calls") == "answered":
        query = query.where(table.c.outcome == "answered")
    elif figure.get("calls") == "missed":
        query = query.where(table.c.outcome.in_(MISSED))
    day, at = as_int(figure.get("day")), as_int(figure.get("hour"))
    if day is not None and at is not None:
        query = query.where(slot == day * 24 + at)
    elif at is not None:
        query = query.where(slot % 24 == at)
    elif day is not None:
        query = query.where(slot // 24 == day)
    return query


def as_int(raw: Any) -> int | None:
    """A figure's small number (a weekday 0-6, an hour 0-23), or None."""
    text = str(raw) if raw is not None else ""
    return int(text) if text.isdigit() and len(text) <= 3 else None


def hour_start(moment: datetime) -> datetime:
    """The start of the UTC hour holding ``moment``: where the counts' hours begin."""
    return datetime.fromtimestamp(int(moment.timestamp()) // SECONDS * SECONDS, UTC)


# what each employee did
def employee_counts(ctx) -> dict[int, dict[str, int]]:
    """Per owner: calls, answered, missed, meetings, emails and tasks done in the period."""
    table = ActivityHour.__table__
    query = (
        select(table.c.owner_id, table.c.kind, func.sum(table.c.total), func.sum(table.c.answered), func.sum(table.c.missed))
        .where(table.c.kind.in_([k for k, _label in KINDS]), *hour_bounds(ctx), *owner_conditions(ctx))
        .group_by(table.c.owner_id, table.c.kind)
    )
    found: dict[int, dict[str, int]] = {}
    for owner, kind, total, answered, missed in ctx.db.execute(query):
        figures = found.setdefault(owner, dict.fromkeys(("call", "answered", "missed", "meeting", "email", "task"), 0))
        figures[kind] = int(total or 0)
        if kind == "call":
            figures["answered"], figures["missed"] = int(answered or 0), int(missed or 0)
    return found


def drill(ctx, owner: int | None, kind: str, **extra: str) -> dict[str, str]:
    """The activity list's arguments for one figure: kind, the owner (None: everyone the bar and
    the user's visibility allow, as the list itself does) and the period (tasks by when done)."""
    args = ctx.drill_args(kind=kind, **extra)
    if owner is not None:
        args.pop("owner_id__in", None)
        args["owner_id"] = str(owner)
    if kind == "task":
        args["status"] = "done"
        for side in ("gte", "lt"):
            if (bound := args.pop(f"happened_at__{side}", None)) is not None:
                args[f"done_at__{side}"] = bound
    return args


def by_employee(ctx) -> Result:
    found = employee_counts(ctx)
    names = ctx.user_names(list(found))
    names[0] = _("Nobody")
    columns = [Column("employee", _l("Employee"), "text"), Column("call", _l("Calls")), Column("answered", _l("Answered calls")),
               Column("missed", _l("Missed calls")), Column("meeting", _l("Meetings")), Column("email", _l("Emails")),
               Column("task", _l("Tasks done"))]
    ordered = sorted(found.items(), key=lambda item: (-sum(item[1][k] for k, _l2 in KINDS), names.get(item[0], "")))
    rows = [Row({"employee": names.get(owner, str(owner)), **figures}, linked(figures, figure_drills(ctx, owner)) if owner else {})
            for owner, figures in ordered]  # no owner: the list has no "owner is empty" filter
    totals = {"employee": _("Total")}
    totals.update({name: sum(figures[name] for _o, figures in ordered) for name in ("call", "answered", "missed", "meeting", "email", "task")})
    chart = Chart("bar", [r.values["employee"] for r in rows],
                  [Series(label, [r.values[kind] for r in rows]) for kind, label in KINDS])
    return Result(columns, rows, chart, Row(totals, linked(totals, figure_drills(ctx, None))))


def figure_drills(ctx, owner: int | None) -> dict[str, dict[str, str]]:
    """Links from one row's figures to their activities; ``owner`` None: everyone's (the totals)."""
    return {
        "call": drill(ctx, owner, "call"),
        "answered": drill(ctx, owner, "call", outcome="answered"),
        "missed": drill(ctx, owner, "call", outcome__in=",".join(MISSED)),
        "meeting": drill(ctx, owner, "meeting"),
        "email": drill(ctx, owner, "email"),
        "task": drill(ctx, owner, "task"),
    }


def calls_choices(_ctx) -> list[tuple[str, Any]]:
    return list(CALLS)


def hour_range(ctx) -> dict[str, int]:
    return {"low": int(ctx.start.timestamp()) // SECONDS, "high": int(ctx.end.timestamp()) // SECONDS}


def calls_sql(ctx) -> list[tuple[str, dict[str, Any]]]:
    """The heatmap's default view by hand (an admin, this month in one offset)."""
    offset = int(ctx.start.astimezone(ctx.tz).utcoffset().total_seconds()) // 60
    return [(f"SELECT ((hour * 60 + {offset}) / 60 + {THURSDAY}) % {WEEK} AS slot, sum(total), sum(answered), sum(missed) "
             "FROM activities_hourly WHERE kind = 'call' AND hour >= :low AND hour < :high GROUP BY slot", hour_range(ctx))]


def employees_sql(ctx) -> list[tuple[str, dict[str, Any]]]:
    return [("SELECT owner_id, kind, sum(total), sum(answered), sum(missed) FROM activities_hourly "
             "WHERE kind IN ('call', 'meeting', 'email', 'task') AND hour >= :low AND hour < :high GROUP BY owner_id, kind",
             hour_range(ctx)),
            ("SELECT id, name, email FROM core_user", {})]


def register() -> list[Report]:
    common = ("period", "office", "department", "employee")
    return [
        Report("activity", _l("Activity by employee"), "activity",
               description=_l("Calls (answered and missed), meetings, emails and tasks done by each employee in the period."),
               common=common, period_field="happened_at", script=by_employee, chart="bar", order=40, raw_sql=employees_sql),
        Report("calls_heatmap", _l("Calls by hour and weekday"), "activity",
               description=_l("When calls happen on your clock: answered and missed apart."),
               common=common, period_field="happened_at", script=calls_heatmap, chart="heatmap", order=41,
               members=calls_members, raw_sql=calls_sql,
               filters=(Filter("calls", _l("Calls"), choices=calls_choices, default="all",
                               condition=lambda _ctx, _table, _value: literal(True)),)),
    ]

