"""The core's Clients reports: new clients per period, clients with no activity for N days, and an
ABC split of clients by the revenue of their won deals. The first two kinds are declarations; idle
clients and ABC are scripted, each one aggregate SELECT."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import and_, case, desc, func, select, union

from crmkit.core.pipelines.models import CURRENCIES

from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_gettext as _l
from crmkit.reports.context import Context, as_int
from crmkit.reports.declaration import Chart, Column, Dimension, Filter, Measure, Report, Result, Row, Series

IDLE_DAYS = "30"
A_SHARE, B_SHARE = Decimal("0.80"), Decimal("0.95")  # cumulative revenue: A to 80%, B to 95%, C the rest
NEW_DIMENSIONS = (
    Dimension("month", _l("Month"), column="created_at", bucket="month"),
    Dimension("week", _l("Week"), column="created_at", bucket="week"),
    Dimension("day", _l("Day"), column="created_at", bucket="day"),
    Dimension("owner", _l("Employee"), column="owner_id"),
    Dimension("source", _l("Source"), column="source"),
    Dimension("segment", _l("Segment"), column="segment"),
)


def reports() -> list[Report]:
    common = ("period", "office", "department", "employee", "source")
    return [
        Report(
            "clients_new", _l("New clients: organizations"), entity="organization", order=10,
            description=_l("Organizations marked as clients, by when they were added."),
            where={"is_client": True}, source_field="source", common=common, default_period="this_year", chart="bar",
            dimensions=(*NEW_DIMENSIONS, Dimension("industry", _l("Industry"), column="industry")),
            measures=(Measure("count", _l("New clients")),), raw_sql=new_sql("contacts_organization"),
        ),
        Report(
            "clients_new_people", _l("New clients: people"), entity="person", order=11,
            description=_l("People marked as clients, by when they were added."),
            where={"is_client": True}, source_field="source", common=common, default_period="this_year", chart="bar",
            dimensions=NEW_DIMENSIONS, measures=(Measure("count", _l("New clients")),), raw_sql=new_sql("contacts_person"),
        ),
        Report(
            "clients_idle", _l("Clients without activity"), entity="organization", order=12,
            description=_l("Client organizations with no call, meeting, email, task or note about them, "
                           "their people or their deals in the last N days, by employee."),
            common=("office", "department", "employee", "source"), period_field=None, source_field="source",
            filters=(Filter("days", _l("Days without activity"), kind="int", default=IDLE_DAYS),),
            script=idle_report, members=idle_members, raw_sql=idle_sql, chart="hbar",
        ),
        Report(
            "clients_abc", _l("ABC analysis of clients"), entity="organization", order=13,
            description=_l("Organizations by the revenue of their deals won in the period: A bring the first 80%, "
                           "B the next 15%, C the rest. Amounts in different currencies are never added: the "
                           "classes are of one currency's deals at a time."),
            period_field="closed_at", pipeline_field="pipeline_id", source_field="source", default_period="this_year",
            filters=(Filter("currency", _l("Currency"), choices=currency_choices),),
            script=abc_report, members=abc_members, raw_sql=abc_sql, chart="pie",
        ),
    ]


# clients without activity

def idle_days(ctx: Context) -> int:
    days = as_int(ctx.values.get("days"))
    return min(days, 3650) if days else int(IDLE_DAYS)


def active_ids(ctx: Context):
    """The organizations with an activity since ``days`` ago (until now) about them, their people or
    their deals: read from the recent activities (``ix_activity_recent_about``: time, then what it
    is about), so the work follows the last N days' activities, not the clients times three lookups."""
    activity, person, deal = ctx.table("activity"), ctx.table("person"), ctx.table("deal")
    since = ctx.now - timedelta(days=idle_days(ctx))
    recent = [activity.c.happened_at >= since, activity.c.happened_at <= ctx.now, activity.c.archived_at.is_(None)]

    def through(entity: str, table):
        joined = activity.join(table, and_(activity.c.about_entity == entity, activity.c.about_id == table.c.id))
        return select(table.c.organization_id).select_from(joined).where(*recent, table.c.organization_id.is_not(None))

    own = select(activity.c.about_id).where(*recent, activity.c.about_entity == "organization", activity.c.about_id.is_not(None))
    return union(own, through("person", person), through("deal", deal))


def idle_condition(ctx: Context, organization):
    """No activity about the organization, its people or its deals since ``days`` ago (until now):
    not among ``active_ids``, which the database builds once per statement (a hashed set)."""
    return organization.c.id.not_in(active_ids(ctx))


def idle_scope(ctx: Context):
    organization = ctx.table()
    return organization, [*ctx.conditions(organization), organization.c.is_client.is_(True)]


def idle_report(ctx: Context) -> Result:
    organization, where = idle_scope(ctx)
    idle = idle_condition(ctx, organization)
    owner = organization.c.owner_id
    statement = (
        select(owner, func.count().label("clients"), func.count(case((idle, 1))).label("idle"))
        .where(*where).group_by(owner).order_by(desc("idle"), owner)
    )
    fetched = ctx.db.execute(statement).all()
    names = ctx.user_names([r[0] for r in fetched])
    rows = [idle_row(ctx, names.get(owner_id, _("Nobody")), clients, idle_count, owner_id)
            for owner_id, clients, idle_count in fetched]
    totals = None
    if rows:
        totals = idle_row(ctx, _("Total"), sum(r[1] for r in fetched), sum(r[2] for r in fetched), "any")
    columns = [Column("employee", _l("Employee"), "text"), Column("clients", _l("Clients"), "int"),
               Column("idle", _l("Without activity"), "int"), Column("share", _l("Share without activity"), "percent")]
    chart = Chart("hbar" if len(rows) > 6 else "bar", [str(r.values["employee"]) for r in rows],
                  [Series(_l("Without activity"), [r.values["idle"] for r in rows])])
    return Result(columns, rows, chart, totals)


def idle_row(ctx: Context, name: Any, clients: int, idle_count: int, owner_id: Any) -> Row:
    values = {"employee": name, "clients": clients, "idle": idle_count,
              "share": round(100 * idle_count / clients, 1) if clients else None}
    owner_arg = {} if owner_id == "any" else {"owner_id": owner_id} if owner_id is not None else None
    drill = {"idle": ctx.members_args(owner="any" if owner_id == "any" else owner_id if owner_id is not None else "none")}
    if owner_arg is not None:
        drill["clients"] = ctx.drill_args(is_client=True, **owner_arg)
    return Row(values, drill)


def idle_members(ctx: Context, figure: dict[str, str]):
    organization, where = idle_scope(ctx)
    owner = figure.get("owner", "any")
    if owner == "none":
        where.append(organization.c.owner_id.is_(None))
    elif owner != "any":
        where.append(organization.c.owner_id == as_int(owner))
    return select(organization.c.id).where(*where, idle_condition(ctx, organization))


# ABC by revenue

def currency_choices(_ctx: Context) -> list[tuple[str, Any]]:
    return [(code, code) for code in CURRENCIES]


def abc_currency(ctx: Context) -> str:
    """The one currency whose won deals are classed: the bar's, else the deployment's own."""
    chosen = ctx.values.get("currency")
    return chosen if chosen in CURRENCIES else current_app.config.get("DEFAULT_CURRENCY") or "KZT"


def classed(ctx: Context):
    """Each organization the user sees with revenue in the period (from the won deals the user
    sees, in one currency: sums across currencies would mean nothing), its revenue and class."""
    deal, organization = ctx.table("deal"), ctx.table()
    seen = select(organization.c.id).where(organization.c.archived_at.is_(None), ctx.visible("organization", organization.c.owner_id))
    # summed per organisation first (the period's won deals from ix_pipelines_deal_won), then kept
    # to those the user sees: filtered before the sum, SQLite walked every deal by organisation
    summed = (
        select(deal.c.organization_id.label("organization_id"), func.sum(deal.c.won_amount).label("amount"))
        .where(*ctx.conditions(deal, entity="deal"), deal.c.won_amount.is_not(None), deal.c.organization_id.is_not(None),
               deal.c.currency == abc_currency(ctx))
        .group_by(deal.c.organization_id)
        .having(func.sum(deal.c.won_amount) > 0)
        .subquery("summed")
    )
    revenue = select(summed.c.organization_id, summed.c.amount).where(summed.c.organization_id.in_(seen)).subquery("revenue")
    before = func.sum(revenue.c.amount).over(order_by=(revenue.c.amount.desc(), revenue.c.organization_id)) - revenue.c.amount
    total = func.sum(revenue.c.amount).over()
    ranked = select(revenue.c.organization_id, revenue.c.amount, before.label("before"), total.label("total")).subquery("ranked")
    grade = case((ranked.c.before < ranked.c.total * A_SHARE, "A"), (ranked.c.before < ranked.c.total * B_SHARE, "B"), else_="C")
    return select(ranked.c.organization_id, ranked.c.amount, grade.label("grade")).subquery("classed")


def abc_report(ctx: Context) -> Result:
    grades = classed(ctx)
    statement = select(grades.c.grade, func.count(), func.sum(grades.c.amount)).group_by(grades.c.grade).order_by(grades.c.grade)
    found = {grade: (count, amount) for grade, count, amount in ctx.db.execute(statement)}
    total = sum((Decimal(amount or 0) for _count, amount in found.values()), Decimal(0))
    labels = {"A": _l("A: revenue up to 80%"), "B": _l("B: the next 15%"), "C": _l("C: the last 5%")}
    rows = []
    for grade in ("A", "B", "C"):
        count, amount = found.get(grade, (0, Decimal(0)))
        values = {"grade": labels[grade], "clients": count, "revenue": amount or Decimal(0),
                  "share": round(float(100 * Decimal(amount or 0) / total), 1) if total else None}
        rows.append(Row(values, {"clients": ctx.members_args(grade=grade)} if count else {}))
    totals = Row({"grade": _("Total"), "clients": sum(r.values["clients"] for r in rows), "revenue": total,
                  "share": 100.0 if total else None}, {"clients": ctx.members_args(grade="any")})
    columns = [Column("grade", _l("Class"), "text"), Column("clients", _l("Clients"), "int"),
               Column("revenue", _("Revenue, %(currency)s", currency=abc_currency(ctx)), "money"),
               Column("share", _l("Share of revenue"), "percent")]
    series = Series(_("Revenue, %(currency)s", currency=abc_currency(ctx)), [float(r.values["revenue"]) for r in rows])
    chart = Chart("pie", [str(r.values["grade"]) for r in rows], [series])
    return Result(columns, rows, chart, totals)


def abc_members(ctx: Context, figure: dict[str, str]):
    grades = classed(ctx)
    statement = select(grades.c.organization_id)
    grade = figure.get("grade", "any")
    return statement if grade == "any" else statement.where(grades.c.grade == grade)


# hand-written SQL of each report's default view, which the benchmarks time beside the report

def local_month_sql(ctx: Context, column: str) -> str:
    """The first day of ``column``'s month on the user's clock, written for the engine (the offset
    taken at the period's start: the benchmark's periods don't cross an offset change)."""
    if ctx.dialect == "postgresql":
        return f"date(date_trunc('month', timezone(:zone, {column})))"
    offset = int((ctx.start or ctx.now).astimezone(ctx.tz).utcoffset().total_seconds())
    return f"strftime('%Y-%m-01', datetime({column}, '{offset:+d} seconds'))"


def new_sql(table: str):
    def raw(ctx: Context) -> list[tuple[str, dict[str, Any]]]:
        month = local_month_sql(ctx, "created_at")
        return [(f"SELECT {month} AS month, count(*) FROM {table} WHERE archived_at IS NULL AND is_client = :yes "
                 f"AND created_at >= :start AND created_at < :end GROUP BY month ORDER BY month",
                 {"zone": ctx.zone, "yes": True, "start": ctx.start, "end": ctx.end})]

    return raw


def idle_sql(ctx: Context) -> list[tuple[str, dict[str, Any]]]:
    recent = "a.happened_at >= :since AND a.happened_at <= :now AND a.archived_at IS NULL"
    active = (f"SELECT a.about_id FROM activity a WHERE {recent} AND a.about_entity = 'organization' AND a.about_id IS NOT NULL "
              f"UNION SELECT p.organization_id FROM activity a JOIN contacts_person p ON a.about_entity = 'person' "
              f"AND a.about_id = p.id WHERE {recent} AND p.organization_id IS NOT NULL "
              f"UNION SELECT d.organization_id FROM activity a JOIN pipelines_deal d ON a.about_entity = 'deal' "
              f"AND a.about_id = d.id WHERE {recent} AND d.organization_id IS NOT NULL")
    return [(f"SELECT o.owner_id, count(*), count(CASE WHEN o.id NOT IN ({active}) THEN 1 END) FROM contacts_organization o "
             "WHERE o.archived_at IS NULL AND o.is_client = :yes GROUP BY o.owner_id",
             {"yes": True, "since": ctx.now - timedelta(days=idle_days(ctx)), "now": ctx.now})]


def abc_sql(ctx: Context) -> list[tuple[str, dict[str, Any]]]:
    summed = ("SELECT d.organization_id, sum(d.won_amount) AS amount FROM pipelines_deal d "
              "WHERE d.archived_at IS NULL AND d.won_amount IS NOT NULL AND d.currency = :currency "
              "AND d.closed_at >= :start AND d.closed_at < :end "
              "GROUP BY d.organization_id HAVING sum(d.won_amount) > 0")
    revenue = (f"SELECT s.organization_id, s.amount FROM ({summed}) s "
               "JOIN contacts_organization o ON o.id = s.organization_id AND o.archived_at IS NULL")
    ranked = ("SELECT amount, sum(amount) OVER (ORDER BY amount DESC, organization_id) - amount AS before, "
              f"sum(amount) OVER () AS total FROM ({revenue}) r")
    grade = "CASE WHEN before < total * 0.8 THEN 'A' WHEN before < total * 0.95 THEN 'B' ELSE 'C' END"
    return [(f"SELECT {grade} AS grade, count(*), sum(amount) FROM ({ranked}) k GROUP BY grade ORDER BY grade",
             {"start": ctx.start, "end": ctx.end, "currency": abc_currency(ctx)})]
