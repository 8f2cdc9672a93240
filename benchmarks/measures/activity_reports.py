"""The activity reports over 3M activities, and plan and fact at 10k, 100k and 1M deals.

Each runs once per engine (at the run's first size) in a database of its own, so the millions
they need never slow the other measurements:

- calls heatmap: 3M activities of 20 agents over a year (half of them calls, more in working
  hours), counted per hour by ``rollup.rebuild`` as the migration does; the heatmap and the
  activity-by-employee report of every activity (period "all") as an admin and as an agent,
  beside the same grid aggregated straight from the activity table (what the counts save), and
  an activity written through ``Records`` with its count kept in the same transaction;
- plan and fact: deals grown to each size (benchmarks/deals.py), a target for every agent and
  month; the report's figures beside its own hand-written SQL (``raw_sql``), this month and this
  year.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import insert, text

from benchmarks import core, data, deals, world
from benchmarks.measures.reports import bound
from crmkit import db, statistics
from crmkit.core.activities import rollup
from crmkit.core.activities.models import Activity
from crmkit.core.auth.models import User
from crmkit.core.targets.models import SalesTarget
from crmkit.entities.service import Records
from crmkit.reports import engine
from crmkit.reports.context import Context

ACTIVITIES = 3_000_000
DEAL_SIZES = (10_000, 100_000, 1_000_000)
TARGET_MS = 200.0
RATIO = 2.0
ZONE_OFFSET_HOURS = 5  # Asia/Almaty, the default zone, since 2024-03-01
KINDS = ("call", "call", "call", "email", "meeting", "task")
OUTCOMES = ("answered", "answered", "answered", "missed", "busy", "no_answer")
BATCH = 20_000


# helpers
def as_user(app, email: str, call):
    with app.test_request_context():
        session = db.session()
        user = session.query(User).filter_by(email=email).one()
        return call(session, user)


def report_times(app, key: str, email: str, args: dict, samples: int, rounds: int) -> dict:
    registry = app.extensions["crmkit.reports"]
    report = registry.get(key)

    def once(_):
        as_user(app, email, lambda session, user: engine.run(report, Context.build(report, user, args, session)))

    return core.latency(core.sample(once, [None] * samples, rounds))


def raw_times(ctx, app, statements: list[tuple[str, dict]], samples: int, rounds: int) -> dict:
    connection = db.engine_of(app).raw_connection()
    try:
        cursor = connection.cursor()

        def run(_):
            for sql, params in statements:
                cursor.execute(*ctx.dbapi(sql, params))
                cursor.fetchall()

        return core.latency(core.sample(run, [None] * samples, rounds))
    finally:
        connection.close()


def analysed(app, tables: list[str]) -> None:
    with app.app_context():
        session = db.session()
        statistics.refresh(session.connection(), tables)
        session.commit()
        if session.get_bind().dialect.name == "postgresql":
            with db.engine().connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                for table in tables:
                    connection.execute(text(f"VACUUM {table}"))  # what autovacuum does after a bulk load


# the heatmap
def fill_activities(app, dataset: data.Dataset, count: int, seed: int = 23) -> None:
    """``count`` activities over the last year, mostly in working hours on the agents' clock."""
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    with app.app_context():
        session = db.session()
        for start in range(0, count, BATCH):
            rows = []
            for _ in range(min(BATCH, count - start)):
                kind = rng.choice(KINDS)
                local_hour = min(23, max(0, int(rng.gauss(13, 3))))
                day = now - timedelta(days=rng.randint(0, 364))
                at = day.replace(hour=(local_hour - ZONE_OFFSET_HOURS) % 24, minute=rng.randint(0, 59))
                owner = rng.choice(dataset.owner_ids)
                row = {"kind": kind, "subject": kind, "body": None, "about_entity": None, "about_id": None, "happened_at": at,
                       "ends_at": None, "direction": None, "our_address": None, "their_address": None, "duration_seconds": None,
                       "outcome": None, "status": None, "priority": None, "done_at": None, "owner_id": owner,
                       "created_by_id": owner, "created_at": at, "updated_at": at, "version": 1, "archived_at": None, "extra": {}}
                if kind == "call":
                    row.update(direction=rng.choice(("inbound", "outbound")), outcome=rng.choice(OUTCOMES),
                               duration_seconds=rng.randint(0, 600))
                elif kind == "task":
                    done = rng.random() < 0.7
                    row.update(status="done" if done else "open", priority="normal", done_at=at + timedelta(hours=2) if done else None)
                rows.append(row)
            session.execute(insert(Activity.__table__), rows)
            session.commit()


def direct_grid_sql(dialect: str) -> str:
    """The grid of every call straight from the activity table, on the Almaty clock."""
    if dialect == "postgresql":
        local = "(happened_at AT TIME ZONE 'Asia/Almaty')"
        return (f"SELECT extract(isodow FROM {local}) AS d, extract(hour FROM {local}) AS h, count(*), "
                "count(*) FILTER (WHERE outcome = 'answered'), count(*) FILTER (WHERE outcome IN ('missed', 'busy', 'no_answer')) "
                "FROM activity WHERE kind = 'call' AND archived_at IS NULL GROUP BY 1, 2")
    local = f"happened_at, '+{ZONE_OFFSET_HOURS} hours'"
    return (f"SELECT strftime('%w', {local}) AS d, strftime('%H', {local}) AS h, count(*), sum(outcome = 'answered'), "
            "sum(outcome IN ('missed', 'busy', 'no_answer')) FROM activity WHERE kind = 'call' AND archived_at IS NULL GROUP BY d, h")


@core.measurement("calls heatmap", order=68)
def heatmap(ctx):
    if not ctx.first:
        return
    count = 30_000 if ctx.settings.quick else ACTIVITIES
    database = world.new_database(ctx.engine, ctx.settings.postgres_url, "heatmap")
    try:
        app = database.app()
        world.migrate(app)
        dataset = data.setup_users(app)
        began = time.perf_counter()
        fill_activities(app, dataset, count)
        filled = time.perf_counter() - began
        with app.app_context():
            began = time.perf_counter()
            rows = rollup.rebuild(db.session())
            db.session().commit()
            counted = time.perf_counter() - began
        analysed(app, ["activity", "activities_hourly"])
        samples, rounds = ctx.settings.samples, ctx.settings.rounds
        note = f"{count:,} activities loaded in {filled:.0f} s; counted into {rows:,} hourly rows in {counted:.1f} s"
        direct = raw_times(ctx, app, [(direct_grid_sql(ctx.engine), {})], 3, 1)
        target = f"p50 < {TARGET_MS:g} ms"
        for case, key, email in (
            ("heatmap of every call, a year (admin)", "calls_heatmap", world.ADMIN_EMAIL),
            ("heatmap of an agent's own calls, a year", "calls_heatmap", ctx.agent_email),
            ("activity by employee, a year (admin)", "activity", world.ADMIN_EMAIL),
        ):
            figures = report_times(app, key, email, {"period": "all"}, samples, rounds)
            baseline = direct if key == "calls_heatmap" else {}
            if baseline:
                figures["x_baseline_p50"] = round(figures["p50_ms"] / max(baseline["p50_ms"], 1e-6), 2)
            row = core.Row("calls heatmap", f"{case}: its figures (engine.run)", ctx.engine, count, figures,
                           "the same grid straight from the activity table" if baseline else "", baseline, target, note=note)
            row.met = figures["p50_ms"] < TARGET_MS
            yield row
        client = world.logged_in_client(app)
        page = core.latency(core.sample(lambda url: client.get(url).get_data(), ["/reports/calls_heatmap/?period=all"], samples))
        yield judged_row(ctx, count, "heatmap page with its table, a year (admin, server time)", page, target)
        yield write_row(ctx, app, count)
    finally:
        database.dispose()


def judged_row(ctx, size: int, case: str, figures: dict, target: str) -> core.Row:
    row = core.Row("calls heatmap", case, ctx.engine, size, figures, target=target)
    row.met = figures["p50_ms"] < TARGET_MS
    return row


def write_row(ctx, app, size: int) -> core.Row:
    """A call logged through Records: the row, its history and its hourly count, one transaction."""
    with app.test_request_context():
        session = db.session()
        agent = session.query(User).filter_by(email=ctx.agent_email).one()
        records = Records(current_app.extensions["crmkit"].entities.get("activity"), agent, session)
        moments = [datetime.now(UTC) - timedelta(hours=n) for n in range(max(4, ctx.settings.samples))]
        figures = core.latency(core.sample(
            lambda at: records.create({"kind": "call", "outcome": "answered", "happened_at": at.isoformat()}), moments,
            ctx.settings.rounds))
    return core.Row("calls heatmap", "a call logged through Records, its hourly count kept in the same transaction",
                    ctx.engine, size, figures)


# plan and fact
def add_targets(app, dataset: data.Dataset, months: int = 48) -> None:
    first = date.today().replace(day=1)
    with app.app_context():
        session = db.session()
        rows = []
        for owner in dataset.owner_ids:
            month = first
            for _ in range(months):
                rows.append({"month": month, "user_id": owner, "amount": Decimal("25000000.00"), "currency": "KZT",
                             "updated_at": datetime.now(UTC)})
                month = (month - timedelta(days=1)).replace(day=1)
        session.execute(insert(SalesTarget.__table__), rows)
        session.commit()


def report_sql(app, key: str, args: dict) -> list[tuple[str, dict]]:
    report = app.extensions["crmkit.reports"].get(key)

    def build(session, user):
        found = report.raw_sql(Context.build(report, user, args, session))
        return [found] if isinstance(found, tuple) else list(found)

    return as_user(app, world.ADMIN_EMAIL, build)


@core.measurement("plan and fact", order=69)
def plan_fact(ctx):
    if not ctx.first:
        return
    sizes = (2_000, 10_000) if ctx.settings.quick else DEAL_SIZES
    database = world.new_database(ctx.engine, ctx.settings.postgres_url, "planfact")
    try:
        app = database.app()
        world.migrate(app)
        dataset = data.setup_users(app)
        data.grow(app, dataset, 1_000)  # organisations for the deals to be with
        add_targets(app, dataset)
        for size in sizes:
            began = time.perf_counter()
            deals.grow(app, dataset, size)
            analysed(app, ["targets_sales_target"])
            note = f"deals grown to {size:,} in {time.perf_counter() - began:.0f} s"
            for period in ("this_month", "this_year"):
                args = {"period": period}
                figures = report_times(app, "plan_fact", world.ADMIN_EMAIL, args, ctx.settings.samples, ctx.settings.rounds)
                sql = [(s, bound(ctx, p)) for s, p in report_sql(app, "plan_fact", args)]
                raw = raw_times(ctx, app, sql, ctx.settings.samples, ctx.settings.rounds)
                figures["x_baseline_p50"] = round(figures["p50_ms"] / max(raw["p50_ms"], 1e-6), 1)
                row = core.Row("plan and fact", f"plan and fact, {period.replace('_', ' ')}, every employee (admin)", ctx.engine,
                               size, figures, "the report's hand-written SQL (raw_sql)", raw,
                               f"p50 < {TARGET_MS:g} ms; <= {RATIO:g}x raw SQL", note=note)
                row.met = figures["p50_ms"] < TARGET_MS and figures["x_baseline_p50"] <= RATIO
                yield row
    finally:
        database.dispose()

