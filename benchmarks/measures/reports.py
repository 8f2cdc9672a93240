"""Every report the app declares, core and plugin, timed as a page beside its own hand-written
SQL: a report joins the benchmarks by declaring ``raw_sql`` (crmkit/reports/declaration.py), with
nothing to add here. Each is opened in its default view (its default period, grouped by its first
dimension) as the admin, over the contacts, activities and deals of benchmarks/data.py and
benchmarks/deals.py.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, select

from benchmarks import core, deals, world
from benchmarks.measures.pages import judged, with_baseline
from crmkit import db
from crmkit.core.auth.models import User
from crmkit.reports import engine
from crmkit.reports.context import Context

REPORT_TARGET_MS = 200.0


def statements(raw) -> list[tuple[str, dict]]:
    """``raw_sql``'s answer as a list of statements: one ``(sql, params)`` pair or a list of them."""
    return [raw] if isinstance(raw, tuple) else list(raw)


def bound(ctx, params: dict) -> dict:
    """Moments bound as the driver stores them (SQLite: UTC text), as the report's own query does."""
    process = DateTime(timezone=True).bind_processor(db.engine_of(ctx.app).dialect) or (lambda value: value)
    return {name: process(value) if isinstance(value, datetime) else value for name, value in params.items()}


def raw_statements(ctx, report) -> list[tuple[str, dict]]:
    with ctx.app.test_request_context():
        session = db.session()
        admin = session.execute(select(User).where(User.email == world.ADMIN_EMAIL)).scalar_one()
        run = Context.build(report, admin, {}, session)
        return [(sql, bound(ctx, params)) for sql, params in statements(report.raw_sql(run))]


@core.measurement("reports", order=67)
def reports(ctx):
    registry = ctx.app.extensions.get("crmkit.reports")
    if registry is None:
        yield core.unavailable("reports", "every declared report", ctx, "no reports in this build")
        return
    deals.grow(ctx.app, ctx.data, ctx.size)  # reports over deals need them; grows in place
    for report in registry:
        url = f"/reports/{report.key}/"
        page = with_baseline(ctx, "reports", f"report {report.key}: page, default view (admin)", [url], [], "",
                             target=f"p50 < {REPORT_TARGET_MS:g} ms")
        yield judged(page, "p50_ms", REPORT_TARGET_MS)
        figures = core.latency(core.sample(lambda _: computed(ctx, report), [None] * ctx.settings.samples, ctx.settings.rounds))
        case = f"report {report.key}: its figures (engine.run), default view (admin)"
        if report.raw_sql is None:
            yield ctx.row("reports", case, figures, note="the report declares no raw_sql to compare with")
            continue
        raw = core.latency(ctx.sql_times([raw_statements(ctx, report)] * ctx.settings.samples))
        figures["x_baseline_p50"] = round(figures["p50_ms"] / max(raw["p50_ms"], 1e-6), 1)
        # the ratio is shown, not judged: most reports read contacts, leads or activities, which this
        # run does not grow with the deals, so their raw SQL takes microseconds and the ratio measures
        # the report's fixed cost; the page is judged (above), the funnel's ratio in measures/funnel.py
        yield ctx.row("reports", case, figures, baseline_label="the report's hand-written SQL (raw_sql)", baseline=raw)


def computed(ctx, report):
    """The report's Result as its page computes it, without the page around it."""
    with ctx.app.test_request_context():
        session = db.session()
        admin = session.execute(select(User).where(User.email == world.ADMIN_EMAIL)).scalar_one()
        return engine.run(report, Context.build(report, admin, {}, session))


core.page("report: new clients", lambda ctx: "/reports/clients_new/" if "crmkit.reports" in ctx.app.extensions else None)
