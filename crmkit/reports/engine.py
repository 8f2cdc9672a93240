"""A declared report compiled into one aggregate SELECT, and any report's ``Result``.

The SELECT groups the report entity's table by the chosen dimension and computes every measure
in one pass (a measure's own ``where`` becomes a CASE inside its aggregate), with visibility and
the filter bar in its WHERE. Rows never reach Python: only one row per group does.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask_babel import format_date
from sqlalchemy import and_, case, desc, func, select

from crmkit.i18n import gettext as _
from crmkit.reports.context import Context, next_month
from crmkit.reports.declaration import Chart, Column, Dimension, Measure, Report, Result, Row, Series

MAX_GROUPS = 500  # rows of a declared report's table; the biggest groups first
MAX_FILLED = 400  # empty time buckets filled in between the period's ends, at most


def run(report: Report, ctx: Context) -> Result:
    """The report's figures for ``ctx``: its script's, or its declaration compiled to SQL."""
    if report.script is not None:
        return report.script(ctx)
    return run_declared(report, ctx)


def aggregate(ctx: Context, table, measure: Measure):
    if measure.expression is not None:
        return measure.expression(ctx, table)
    column = table.c[measure.column] if measure.column else None
    if measure.where:
        condition = [table.c[name] == value for name, value in measure.where.items()]
        test = and_(*condition)
        column = case((test, column if column is not None else 1))
    if measure.aggregate == "count":
        return func.count(column) if column is not None else func.count()
    if measure.aggregate == "count_distinct":
        return func.count(column.distinct())
    return getattr(func, measure.aggregate)(column)


def group_of(ctx: Context, table, dimension: Dimension):
    if dimension.expression is not None:
        return dimension.expression(ctx, table)
    column = table.c[dimension.column]
    return ctx.bucket(column, dimension.bucket) if dimension.bucket else column


def statement(report: Report, ctx: Context):
    """The one SELECT of a declared report: ``group, measure, measure...`` per group."""
    table = ctx.table()
    dimension = report.dimension(ctx.values.get("by"))
    group = group_of(ctx, table, dimension).label("group")
    measures = [aggregate(ctx, table, m).label(f"m_{i}") for i, m in enumerate(report.measures)]
    query = select(group, *measures).where(*ctx.conditions(table)).group_by(group)
    if dimension.bucket:
        return query.order_by(group)
    return query.order_by(desc(measures[0].name), group).limit(MAX_GROUPS)


def run_declared(report: Report, ctx: Context) -> Result:
    dimension = report.dimension(ctx.values.get("by"))
    fetched = ctx.db.execute(statement(report, ctx)).all()
    if dimension.bucket:
        groups = filled_buckets(ctx, dimension, {ctx.bucket_day(r[0]): r for r in fetched}, len(report.measures))
    else:
        groups = [(r[0], list(r[1:])) for r in fetched]
    names = names_of(ctx, report, dimension, [g for g, _ in groups])
    columns = [Column(dimension.name, dimension.label, "date" if dimension.bucket else "text")]
    columns += [Column(m.name, m.label, m.kind) for m in report.measures]
    rows = []
    for value, figures in groups:
        values = {dimension.name: names.get(value, value)}
        values.update({m.name: figure for m, figure in zip(report.measures, figures, strict=True)})
        group_args = drill_of(ctx, dimension, value)
        drill = {}
        if group_args is not None:
            for measure in report.measures:
                clash = any(k in group_args and str(group_args[k]) != str(v) for k, v in measure.where.items())
                if not clash:  # a group its measure's own rows exclude counts none: nothing to list
                    drill[measure.name] = ctx.drill_args(**{**group_args, **measure.where})
        rows.append(Row(values, drill))
    totals = totals_row(ctx, report, dimension, rows)
    chart_kind = report.chart
    if chart_kind == "bar" and not dimension.bucket and len(rows) > 12:
        chart_kind = "hbar"
    elif dimension.bucket and chart_kind in ("bar", "hbar") and len(rows) > 31:
        chart_kind = "line"
    first = next((m for m in report.measures if m.name == ctx.values.get("measure")), report.measures[0])
    chart = Chart(
        chart_kind,
        [str(r.values[dimension.name]) for r in rows],
        [Series(first.label, [number(r.values[first.name]) for r in rows])],
    )
    return Result(columns, rows, chart, totals)


def filled_buckets(ctx: Context, dimension: Dimension, found: dict, measures: int) -> list[tuple[Any, list[Any]]]:
    """Each bucket of the period in order, those without records at zero, so lines don't skip."""
    if ctx.start is None or ctx.end is None:
        return [(day, list(row[1:])) for day, row in sorted(found.items(), key=lambda kv: kv[0] or date.min)]
    first = ctx.start.astimezone(ctx.tz).date()
    last = (ctx.end - timedelta(microseconds=1)).astimezone(ctx.tz).date()
    day = bucket_start(dimension.bucket, first)
    days: list[date] = []
    while day <= last and len(days) < MAX_FILLED:
        days.append(day)
        day = day + timedelta(days=1) if dimension.bucket == "day" else day + timedelta(days=7) if dimension.bucket == "week" else next_month(day)
    days += sorted(d for d in found if d not in set(days))
    return [(d, list(found[d][1:]) if d in found else [0] * measures) for d in days]


def bucket_start(unit: str, day: date) -> date:
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day


def names_of(ctx: Context, report: Report, dimension: Dimension, values: list[Any]) -> dict[Any, str]:
    """How each group is shown: the dimension's ``names``, employees by name, buckets as dates,
    choices by their label."""
    if dimension.names is not None:
        return dimension.names(ctx, values)
    if dimension.bucket:
        return {v: bucket_label(dimension.bucket, v) for v in values if v is not None}
    if dimension.column == report.owner_field or dimension.column == "owner_id":
        named = ctx.user_names(values)
        named[None] = _("Nobody")
        return named
    entity = ctx.entity()
    shown = {v: entity.display(dimension.column, v) for v in values}
    shown[None] = _("Not set")
    return {k: str(v) for k, v in shown.items()}


def bucket_label(unit: str, day: date) -> str:
    if unit == "month":
        named = format_date(day, "LLLL y")  # standalone: "январь 2026", capitalised as a heading
        return named[:1].upper() + named[1:]
    if unit == "week":
        return _("week of %(date)s", date=format_date(day, "d MMM y"))
    return format_date(day, "d MMM y")


def drill_of(ctx: Context, dimension: Dimension, value: Any) -> dict[str, Any] | None:
    """List arguments for one group, or None when the group can't be listed."""
    if dimension.expression is not None:
        return dimension.drill_args(ctx, value) if dimension.drill_args else None
    target = dimension.column if dimension.drill == "" else dimension.drill
    if target is None:
        return None
    if dimension.bucket:
        if value is None:
            return None
        return ctx.bucket_args(target, dimension.bucket, value)
    if value is None:
        return None  # the list has no "is empty" filter
    return {target: value}


def totals_row(ctx: Context, report: Report, dimension: Dimension, rows: list[Row]) -> Row | None:
    """Sums of the additive measures (counts and sums) over the groups shown."""
    additive = [m for m in report.measures if m.expression is None and m.aggregate in ("count", "sum")]
    if not additive or not rows:
        return None
    values: dict[str, Any] = {dimension.name: _("Total")}
    drill = {}
    for measure in additive:
        values[measure.name] = sum((r.values[measure.name] or 0) for r in rows)
        if len(rows) < MAX_GROUPS:
            drill[measure.name] = ctx.drill_args(**measure.where)
    return Row(values, drill)


def number(value: Any) -> float | int | None:
    if value is None:
        return None
    return value if isinstance(value, int) else float(value)
