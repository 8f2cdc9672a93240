"""Telephony reports on crmkit's reports frame (docs/reports.md): when calls come, how many are
answered, how fast missed ones are called back, per employee and per tracking number.

They read the plugin's calls (``telephony_call``), not activities: a call to an extension nobody
answers for, or of a caller nobody knows, counts too. Each is one aggregate over the period's
range of ``ix_telephony_call_started`` (started_at, direction, outcome, user_id), with the
activity entity's visibility applied through the call's agent (a manager counts their
department's calls, an agent their own; calls of no agent only for those who see every activity).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from babel.dates import get_day_names
from flask_babel import get_locale
from sqlalchemy import Integer, and_, case, false, func, literal, select
from sqlalchemy.orm import aliased

from crmkit import api
from crmkit.reports import Chart, Column, Dimension, Filter, Report, Result, Row, Series
from crmkit_telephony.models import Call
from crmkit_telephony.tracking import CallSource

messages = api.Messages(__name__)
_ = messages.gettext
_l = messages.lazy_gettext

CALLS = (("all", _l("All calls")), ("answered", _l("Answered")), ("missed", _l("Missed")))
DIRECTIONS = (("", _l("Both directions")), ("inbound", _l("Inbound")), ("outbound", _l("Outbound")))
COMMON = ("period", "office", "department", "employee")
C = Call.__table__
S = CallSource.__table__


def calls_choices(_ctx) -> list[tuple[str, Any]]:
    return list(CALLS)


def direction_choices(_ctx) -> list[tuple[str, Any]]:
    return list(DIRECTIONS)


def anything(_ctx, _table, _value):
    return literal(True)  # the scripts read these filters themselves


def scope(ctx) -> list[Any]:
    """The calls the figures count: the period, the user's visibility, the bar's employees."""
    found = [C.c.started_at.is_not(None), ctx.visible("activity", C.c.user_id)]
    if ctx.start is not None:
        found.append(C.c.started_at >= ctx.start)
    if ctx.end is not None:
        found.append(C.c.started_at < ctx.end)
    owners = ctx.owners()
    if owners is not None:
        found.append(C.c.user_id.in_(sorted(owners)) if owners else false())
    return found


# calls by hour of day and weekday
def utc_hour(ctx, column) -> Any:
    """Hours since 1970 (UTC) of a moment: calls are counted per such hour in SQL, at most 24 a
    day whatever their number, and each hour is placed on the user's clock in Python."""
    if ctx.dialect == "postgresql":
        return func.floor(func.extract("epoch", column) / 3600).cast(Integer)
    return func.cast(func.strftime("%s", column), Integer).op("/")(3600)


def heatmap_conditions(ctx) -> list[Any]:
    wanted = scope(ctx)
    if ctx.values.get("calls") in ("answered", "missed"):
        wanted.append(C.c.outcome == ctx.values["calls"])
    if ctx.values.get("direction") in ("inbound", "outbound"):
        wanted.append(C.c.direction == ctx.values["direction"])
    return wanted


def heatmap_grid(ctx) -> list[list[int]]:
    """7 x 24 counts, weekdays from Monday, hours of the user's clock (in a zone whose offset is
    not whole hours, a call counts in the local hour its UTC hour begins in)."""
    hour = utc_hour(ctx, C.c.started_at).label("hour")
    wanted = heatmap_conditions(ctx)
    grid = [[0] * 24 for _ in range(7)]
    zone = ctx.tz
    for at, count in ctx.db.execute(select(hour, func.count()).where(*wanted).group_by(hour)):
        local = datetime.fromtimestamp(int(at) * 3600, UTC).astimezone(zone)
        grid[local.weekday()][local.hour] += int(count)
    return grid


def heatmap(ctx) -> Result:
    grid = heatmap_grid(ctx)
    names = get_day_names("abbreviated", context="stand-alone", locale=get_locale())
    days = [names[i] for i in range(7)]
    columns = [Column("hour", _l("Hour"), "text"), *(Column(f"d{d}", days[d]) for d in range(7)), Column("total", _l("Total"))]
    rows = []
    for hour in range(24):
        values: dict[str, Any] = {"hour": f"{hour:02d}:00", **{f"d{d}": grid[d][hour] for d in range(7)}}
        values["total"] = sum(grid[d][hour] for d in range(7))
        drill = {f"d{d}": ctx.members_args(day=d, hour=hour) for d in range(7) if grid[d][hour]}
        if values["total"]:
            drill["total"] = ctx.members_args(hour=hour)
        rows.append(Row(values, drill))
    totals = {"hour": _("Total"), **{c.name: sum(r.values[c.name] for r in rows) for c in columns[1:]}}
    title = dict(CALLS).get(ctx.values.get("calls"), CALLS[0][1])
    chart = Chart("heatmap", [f"{h:02d}" for h in range(24)], [Series(days[d], grid[d]) for d in range(7)], title=title)
    return Result(columns, rows, chart, Row(totals))


def small(raw: Any, limit: int) -> int | None:
    text = str(raw) if raw is not None else ""
    return int(text) if text.isdigit() and int(text) < limit else None


def heatmap_members(ctx, figure: dict[str, str]):
    """The activities of the calls in a cell (a weekday and an hour of the user's clock) or in
    an hour of every weekday: the period's UTC hours that fall there, read as the grid reads them."""
    day, hour = small(figure.get("day"), 7), small(figure.get("hour"), 24)
    first = ctx.start or ctx.db.execute(select(func.min(C.c.started_at))).scalar() or ctx.now
    last = ctx.end or ctx.now + timedelta(hours=1)
    hours = []
    for at in range(int(first.timestamp()) // 3600, int(last.timestamp()) // 3600 + 1):
        local = datetime.fromtimestamp(at * 3600, UTC).astimezone(ctx.tz)
        if (hour is None or local.hour == hour) and (day is None or local.weekday() == day):
            hours.append(at)
    return select(C.c.activity_id).where(*heatmap_conditions(ctx), utc_hour(ctx, C.c.started_at).in_(hours or [-1]),
                                         C.c.activity_id.is_not(None))


# answer rate and time to callback, per employee or per tracking number
def seconds_between(ctx, later, earlier) -> Any:
    if ctx.dialect == "postgresql":
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def summary_query(ctx, key):
    callback = aliased(Call.__table__, name="callback")
    inbound, outbound = C.c.direction == "inbound", C.c.direction == "outbound"
    answered, missed = and_(inbound, C.c.outcome == "answered"), and_(inbound, C.c.outcome == "missed")
    wait = seconds_between(ctx, callback.c.started_at, func.coalesce(C.c.ended_at, C.c.started_at))

    def counted(condition):
        return func.count(case((condition, 1)))

    return (
        select(key.label("key"), counted(inbound), counted(answered), counted(missed),
               func.avg(case((answered, C.c.duration_seconds))), counted(outbound),
               counted(and_(missed, C.c.called_back_by.is_not(None))), func.avg(case((missed, wait))),
               counted(C.c.queued.is_(True)), counted(and_(C.c.queued.is_(True), C.c.callback_due_at < ctx.now)))
        .select_from(C.outerjoin(callback, callback.c.id == C.c.called_back_by).outerjoin(S, S.c.call_id == C.c.id))
        .where(*scope(ctx))
        .group_by(key)
    )


FIGURES = ("inbound", "answered", "missed", "talk", "outbound", "called_back", "wait", "waiting", "overdue")


def summary_figures(ctx) -> dict[Any, dict[str, Any]]:
    key = S.c.number if ctx.values.get("by") == "number" else C.c.user_id
    found = {}
    for row in ctx.db.execute(summary_query(ctx, key)):
        found[row[0]] = dict(zip(FIGURES, row[1:], strict=True))
    return found


def rate(part, whole) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def minutes(seconds) -> float | None:
    return None if seconds is None else round(float(seconds) / 60.0, 1)


def number_names(numbers) -> dict[Any, str]:
    """A tracking number with its lead source's name, as admins named it."""
    sources = {}
    for source in api.lead_sources():
        for number in source["numbers"]:
            sources.setdefault(number.lstrip("+")[-10:], source["name"])
    shown = {}
    for number in numbers:
        source = sources.get((number or "").lstrip("+")[-10:]) if number else None
        shown[number] = f"{number} ({source})" if number and source else (number or _("Outbound and unknown"))
    return shown


def summary(ctx) -> Result:
    figures = summary_figures(ctx)
    by_number = ctx.values.get("by") == "number"
    names = number_names(figures) if by_number else ctx.user_names(figures)
    columns = [
        Column("group", _l("Tracking number") if by_number else _l("Employee"), "text"),
        Column("inbound", _l("Inbound")), Column("answered", _l("Answered")), Column("missed", _l("Missed")),
        Column("answer_rate", _l("Answer rate"), "percent"), Column("talk", _l("Average talk, min"), "decimal"),
        Column("outbound", _l("Outbound")), Column("called_back", _l("Missed, called back")),
        Column("wait", _l("Average time to callback, min"), "decimal"), Column("waiting", _l("Waiting for a callback")),
        Column("overdue", _l("Overdue callbacks")),
    ]
    rows = []
    for key, values in sorted(figures.items(), key=lambda item: (-item[1]["inbound"], str(names.get(item[0]) or ""))):
        shown = shaped(values)
        group = "" if key is None else str(key)
        drill = {name: ctx.members_args(group=group, figure=name) for name in LINKED if shown[name]}
        rows.append(Row({"group": names.get(key) or _("No one"), **shown}, drill))
    totals = {name: sum(f[name] for f in figures.values()) for name in ("inbound", "answered", "missed", "outbound",
                                                                         "called_back", "waiting", "overdue")}
    totals.update(talk=weighted(figures, "talk", "answered"), wait=weighted(figures, "wait", "called_back"))
    chart = Chart("bar", [r.values["group"] for r in rows], [Series(_l("Answer rate"), [r.values["answer_rate"] or 0 for r in rows])])
    return Result(columns, rows, chart, Row({"group": _("Total"), **shaped(totals)}))


LINKED = ("inbound", "answered", "missed", "outbound", "called_back", "waiting", "overdue")


def figure_condition(ctx, name: str) -> Any:
    inbound = C.c.direction == "inbound"
    return {
        "inbound": inbound, "answered": and_(inbound, C.c.outcome == "answered"),
        "missed": and_(inbound, C.c.outcome == "missed"), "outbound": C.c.direction == "outbound",
        "called_back": and_(inbound, C.c.outcome == "missed", C.c.called_back_by.is_not(None)),
        "waiting": C.c.queued.is_(True), "overdue": and_(C.c.queued.is_(True), C.c.callback_due_at < ctx.now),
    }.get(name, false())


def summary_members(ctx, figure: dict[str, str]):
    """The activities of the calls behind a figure (calls that became no activity, of an unknown
    extension say, are counted but have nothing to list)."""
    group = figure.get("group") or None
    if ctx.values.get("by") == "number":
        key = C.c.id.in_(select(S.c.call_id).where(S.c.number == group)) if group else C.c.id.not_in(select(S.c.call_id))
    else:
        key = C.c.user_id == int(group) if group and group.isdigit() else C.c.user_id.is_(None)
    return select(C.c.activity_id).where(*scope(ctx), key, figure_condition(ctx, figure.get("figure", "")),
                                         C.c.activity_id.is_not(None))


def shaped(values: dict[str, Any]) -> dict[str, Any]:
    return {**{name: int(values[name] or 0) for name in ("inbound", "answered", "missed", "outbound", "called_back",
                                                          "waiting", "overdue")},
            "answer_rate": rate(values["answered"] or 0, (values["answered"] or 0) + (values["missed"] or 0)),
            "talk": minutes(values["talk"]), "wait": minutes(values["wait"])}


def weighted(figures: dict, name: str, weight: str) -> float | None:
    """The average of all calls from the groups' averages, each weighed by its calls."""
    parts = [(float(f[name]), f[weight]) for f in figures.values() if f[name] is not None and f[weight]]
    total = sum(count for _value, count in parts)
    return sum(value * count for value, count in parts) / total if total else None


# the hand-written SQL of the default views, for the benchmarks
def period(ctx, column: str) -> tuple[str, dict[str, Any]]:
    """The period's WHERE over ``column`` and its parameters (an open end adds nothing)."""
    parts, params = [f"{column} IS NOT NULL"], {}
    if ctx.start is not None:
        parts.append(f"{column} >= :start")
        params["start"] = ctx.start
    if ctx.end is not None:
        parts.append(f"{column} < :end")
        params["end"] = ctx.end
    return " AND ".join(parts), params


def summary_sql(ctx) -> list[tuple[str, dict[str, Any]]]:
    wait = ("extract(epoch FROM cb.started_at - coalesce(c.ended_at, c.started_at))" if ctx.dialect == "postgresql"
            else "(julianday(cb.started_at) - julianday(coalesce(c.ended_at, c.started_at))) * 86400.0")
    where, params = period(ctx, "c.started_at")
    return [(
        "SELECT c.user_id, count(CASE WHEN c.direction = 'inbound' THEN 1 END), "
        "count(CASE WHEN c.direction = 'inbound' AND c.outcome = 'answered' THEN 1 END), "
        "count(CASE WHEN c.direction = 'inbound' AND c.outcome = 'missed' THEN 1 END), "
        "avg(CASE WHEN c.direction = 'inbound' AND c.outcome = 'answered' THEN c.duration_seconds END), "
        "count(CASE WHEN c.direction = 'outbound' THEN 1 END), "
        "count(CASE WHEN c.direction = 'inbound' AND c.outcome = 'missed' AND c.called_back_by IS NOT NULL THEN 1 END), "
        f"avg(CASE WHEN c.direction = 'inbound' AND c.outcome = 'missed' THEN {wait} END), "
        "count(CASE WHEN c.queued THEN 1 END), count(CASE WHEN c.queued AND c.callback_due_at < :now THEN 1 END) "
        "FROM telephony_call c LEFT JOIN telephony_call cb ON cb.id = c.called_back_by "
        f"WHERE {where} GROUP BY c.user_id",
        {**params, "now": ctx.now}), ("SELECT id, name, email FROM core_user", {})]


def heatmap_sql(ctx) -> list[tuple[str, dict[str, Any]]]:
    """The calls per UTC hour of the period, as the report reads them."""
    where, params = period(ctx, "started_at")
    hour = ("CAST(floor(extract(epoch FROM started_at) / 3600) AS INTEGER)" if ctx.dialect == "postgresql"
            else "CAST(strftime('%s', started_at) AS INTEGER) / 3600")
    return [(f"SELECT {hour} AS hour, count(*) FROM telephony_call WHERE {where} GROUP BY hour", params)]


def register() -> list[Report]:
    return [
        Report("calls_heatmap", _l("Calls by hour and weekday (telephony)"), "activity",
               description=_l("When the PBX's calls come and go, on your clock: all, answered or missed, either direction."),
               common=COMMON, period_field="happened_at", script=heatmap, chart="heatmap", order=45, raw_sql=heatmap_sql,
               members=heatmap_members,
               filters=(Filter("calls", _l("Calls"), choices=calls_choices, default="all", condition=anything),
                        Filter("direction", _l("Direction"), choices=direction_choices, default="", condition=anything))),
        Report("calls_answered", _l("Answer rate and callbacks"), "activity",
               description=_l("Inbound calls answered and missed, the answer rate, and how fast missed calls were called "
                              "back, per employee or per tracking number."),
               common=COMMON, period_field="happened_at", script=summary, chart="bar", order=46, raw_sql=summary_sql,
               members=summary_members,
               dimensions=(Dimension("employee", _l("Employee"), column="owner_id"),
                           Dimension("number", _l("Tracking number"), column="our_address"))),
    ]
