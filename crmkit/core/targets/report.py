"""The plan-and-fact report on the report frame: a row per employee (or per department) with the
target, what was won, the weighted open pipeline and the forecast, for the bar's period."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import and_, or_, select

from crmkit.core.access.models import Department
from crmkit.core.access.policy import department_subtree
from crmkit.core.auth.models import User
from crmkit.core.pipelines import totals
from crmkit.core.pipelines.models import Deal, Stage
from crmkit.core.targets import plan
from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_gettext as _l
from crmkit.reports import Chart, Column, Filter, Report, Result, Row, Series
from crmkit.reports.context import as_int

LEVELS = (("employee", _l("Employees")), ("department", _l("Departments")))
MAX_ROWS = 500


def currency() -> str:
    """Targets are in the deployment's currency; won deals in it count toward them."""
    return current_app.config.get("DEFAULT_CURRENCY") or "KZT"


def period_of(ctx) -> plan.Period:
    tz = ctx.tz
    first = ctx.start.astimezone(tz).date() if ctx.start is not None else None
    after = ctx.end.astimezone(tz).date() if ctx.end is not None else None
    return plan.Period(ctx.start, ctx.end, first, after)


def visible_owner_ids(ctx) -> frozenset[int] | None:
    """The owners whose deals the user sees, narrowed by the bar; None: everyone."""
    access = ctx.access
    seen = access.owner_ids(access.level("deal"))
    chosen = ctx.owners()
    if seen is None:
        return chosen
    return seen if chosen is None else seen & chosen


def employees(ctx, owners: frozenset[int] | None, figures_of: set[int]) -> list[User]:
    """Active users among ``owners`` and anyone there with figures, by name (at most MAX_ROWS)."""
    query = select(User).where(or_(User.is_active.is_(True), User.id.in_(sorted(figures_of) or [0])))
    if owners is not None:
        query = query.where(User.id.in_(sorted(owners) or [0]))
    return list(ctx.db.execute(query.order_by(User.name, User.email).limit(MAX_ROWS)).scalars())


def shown_departments(ctx, members: dict[int, set[int]], owners: frozenset[int] | None) -> list[Department]:
    """Departments the user sees whole (every member's deals), within the bar's office or department."""
    query = select(Department).order_by(Department.name)
    if ctx.values.get("department"):
        query = query.where(Department.id.in_(department_subtree(ctx.db, ctx.values["department"])))
    if ctx.values.get("office"):
        query = query.where(Department.office_id == ctx.values["office"])
    if ctx.values.get("employee"):
        return []
    found = []
    for department in ctx.db.execute(query.limit(MAX_ROWS)).scalars():
        people = members.get(department.id, set())
        if owners is None or (people and people <= owners):
            found.append(department)
    return found


def visibility(ctx):
    """``visible(owner column)``: the user's visibility and the bar's office, department, employee."""
    chosen = ctx.owners()

    def visible(column):
        return [ctx.visible("deal", column)] + ([column.in_(sorted(chosen) or [0])] if chosen is not None else [])

    return visible


def run(ctx) -> Result:
    period = period_of(ctx)
    owners = visible_owner_ids(ctx)
    level = ctx.values.get("level") if ctx.values.get("level") in dict(LEVELS) else "employee"
    visible = visibility(ctx)
    won = plan.won_by_owner(ctx.db, period, currency(), visible)
    weighted = plan.weighted_by_owner(ctx.db, period, currency(), visible)
    user_targets, department_targets = plan.targets(ctx.db, period, currency())
    columns = [Column("name", _l("Employee") if level == "employee" else _l("Department"), "text"),
               Column("target", _l("Target"), "money"), Column("won", _l("Won amount"), "money"),
               Column("done", _l("Done"), "percent"), Column("weighted", _l("Weighted pipeline"), "money"),
               Column("forecast", _l("Forecast"), "money"), Column("forecast_share", _l("Forecast of target"), "percent")]
    rows: list[Row] = []
    total = plan.Figures()
    if level == "employee":
        for user in employees(ctx, owners, set(won) | set(weighted) | set(user_targets)):
            figures = plan.Figures(target=user_targets.get(user.id))
            figures.won, figures.won_count = won.get(user.id, (plan.ZERO, 0))
            figures.weighted, figures.open_count = weighted.get(user.id, (plan.ZERO, 0))
            rows.append(row_of(user.name or user.email, figures, drills(ctx, owner=user.id)))
            total.add(figures)
    else:
        members = plan.department_members(ctx.db)
        for department in shown_departments(ctx, members, owners):
            figures = plan.Figures(target=department_targets.get(department.id))
            for member in members.get(department.id, set()):
                figures.won += won.get(member, (plan.ZERO, 0))[0]
                figures.weighted += weighted.get(member, (plan.ZERO, 0))[0]
            rows.append(row_of(department.name, figures, drills(ctx, department=department.id)))
    chart = Chart("bar", [r.values["name"] for r in rows], [
        Series(_l("Target"), [float(r.values["target"] or 0) for r in rows]),
        Series(_l("Won amount"), [float(r.values["won"]) for r in rows]),
        Series(_l("Forecast"), [float(r.values["forecast"]) for r in rows]),
    ])
    totals = row_of(_("Total"), total, drills(ctx)) if level == "employee" and rows else None
    return Result(columns, rows, chart, totals)


def row_of(name: str, figures: plan.Figures, drill: dict[str, dict[str, str]]) -> Row:
    values = {"name": name, "target": figures.target, "won": figures.won, "done": figures.done_share,
              "weighted": figures.weighted, "forecast": figures.forecast, "forecast_share": figures.forecast_share}
    return Row(values, {k: v for k, v in drill.items() if values[k]})  # a zero has no deals to list


def drills(ctx, **holder: int) -> dict[str, dict[str, str]]:
    """Won, weighted and forecast figures link to their deals (``members``)."""
    return {name: ctx.members_args(what=name, **holder) for name in ("won", "weighted", "forecast")}


def members(ctx, figure: dict[str, str]):
    """The deals behind a figure: won, open (weighted) or both (forecast), of one employee, one
    department (its members) or everyone the row set counts."""
    period, visible = period_of(ctx), visibility(ctx)
    won = and_(*plan.won_conditions(period, currency(), visible))
    still_open = and_(*plan.open_conditions(period, currency(), visible))
    chosen = {"won": won, "weighted": still_open}.get(figure.get("what"), or_(won, still_open))
    query = select(Deal.id).join(Stage, Stage.id == Deal.stage_id).where(chosen)
    if (owner := as_int(figure.get("owner"))) is not None:
        query = query.where(Deal.owner_id == owner)
    elif (department := as_int(figure.get("department"))) is not None:
        people = plan.department_members(ctx.db).get(department, set())
        query = query.where(Deal.owner_id.in_(sorted(people) or [0]))
    return query


def raw_sql(ctx) -> list[tuple[str, dict[str, Any]]]:
    """The default view's statements by hand (an admin: every deal): won per owner (the kept days
    of pipelines_deal_total and the deals of the cut days at both ends, as the report reads them),
    weighted per owner, the targets of the period, the users."""
    period = period_of(ctx)
    first, after = plan.whole_days(period)
    head_end, tail_start = (totals.day_start(first), totals.day_start(after)) if first < after else (ctx.end, ctx.end)
    params = {"start": ctx.start, "end": ctx.end, "first": period.first_day, "after": period.end_day, "currency": currency(),
              "first_day": first, "after_day": after, "head_end": head_end, "tail_start": tail_start}
    return [
        ("SELECT owner_id, sum(won), sum(deals) FROM ("
         "SELECT t.owner_id, t.won, t.deals FROM pipelines_deal_total t JOIN pipelines_stage s ON s.id = t.stage_id "
         "WHERE s.kind = 'won' AND t.day >= :first_day AND t.day < :after_day AND t.currency = :currency AND t.owner_id <> 0 "
         "UNION ALL SELECT d.owner_id, round(d.won_amount * 100), 1 FROM pipelines_deal d JOIN pipelines_stage s ON s.id = d.stage_id "
         "WHERE s.kind = 'won' AND d.archived_at IS NULL AND d.currency = :currency AND d.owner_id IS NOT NULL "
         "AND ((d.closed_at >= :start AND d.closed_at < :head_end) OR (d.closed_at >= :tail_start AND d.closed_at < :end))"
         ") w GROUP BY owner_id", params),
        ("SELECT d.owner_id, sum(d.amount * coalesce(d.probability, s.probability)), count(*) FROM pipelines_deal d "
         "JOIN pipelines_stage s ON s.id = d.stage_id WHERE s.kind = 'open' AND d.closed_at IS NULL AND d.archived_at IS NULL "
         "AND d.currency = :currency AND d.owner_id IS NOT NULL AND d.expected_close_on >= :first "
         "AND d.expected_close_on < :after GROUP BY d.owner_id", params),
        ("SELECT user_id, department_id, sum(amount) FROM targets_sales_target WHERE currency = :currency "
         "AND month >= :first AND month < :after GROUP BY user_id, department_id", params),
        ("SELECT * FROM core_user ORDER BY name, email LIMIT 500", {}),
    ]


def level_choices(_ctx) -> list[tuple[str, Any]]:
    return list(LEVELS)


def register() -> list[Report]:
    return [Report(
        "plan_fact", _l("Plan and fact"), "deal",
        description=_l("Sales targets against won deals, with a forecast from the weighted open pipeline."),
        common=("period", "office", "department", "employee"), period_field="closed_at", script=run, chart="bar",
        filters=(Filter("level", _l("Rows"), choices=level_choices, default="employee"),), order=30,
        members=members, raw_sql=raw_sql,
    )]

