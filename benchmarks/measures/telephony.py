"""The telephony plugin's reports: answer rate and callbacks (per employee, per tracking number)
and calls by hour and weekday, as pages and as figures beside their hand-written SQL, over one
call per contact of the size spread over the past year (70% inbound, a quarter of those missed,
half of the missed called back), on an app with the plugin enabled on the same database.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import DateTime, delete, func, insert, select, text

from benchmarks import core, world
from benchmarks.measures.pages import judged, with_baseline
from crmkit import db
from crmkit.core.auth.models import User
from crmkit.reports import engine
from crmkit.reports.context import Context

REPORT_TARGET_MS = 200.0
REPORT_RATIO = 2.0
BATCH = 20_000
LINES = ("+77272000001", "+77272000002", "+77272000003", "+77272000004", "+77272000005")
REPORTS = (  # key, the bar's arguments, how the case reads
    ("telephony.calls_answered", {}, "per employee, this month"),
    ("telephony.calls_answered", {"period": "all"}, "per employee, all time"),
    ("telephony.calls_answered", {"period": "all", "by": "number"}, "per tracking number, all time"),
    ("telephony.calls_heatmap", {}, "this month"),
    ("telephony.calls_heatmap", {"period": "all"}, "all time"),
)


def telephony_app(ctx):
    """The app with the plugin, its tables migrated on the run's database; made once per size."""
    if "telephony_app" not in ctx.extra:
        import crmkit_telephony.hooks

        app = ctx.database.app(plugins=(crmkit_telephony.hooks,))
        world.migrate(app)
        ctx.extra["telephony_app"] = app
    return ctx.extra["telephony_app"]


def rows_of(index: int, now: datetime, owners: list[int], size: int) -> tuple[dict, dict | None]:
    """One call, older with its index over the past year, and its tracking row when inbound."""
    started = now - timedelta(seconds=index * 365 * 86400 // max(size, 1))
    inbound = index % 10 < 7
    missed = inbound and index % 4 == 0
    call = {"id": index + 1, "provider": "generic", "call_id": f"bench-{index}", "direction": "inbound" if inbound else "outbound",
            "caller": f"+7701{index:07d}" if inbound else "101", "called": LINES[index % 5] if inbound else f"+7701{index:07d}",
            "their_number": f"+7701{index:07d}", "extension": "101", "user_id": owners[index % len(owners)],
            "unknown_extension": False, "events": ["ended", "ringing"], "outcome": "missed" if missed else "answered",
            "started_at": started, "answered_at": None if missed else started + timedelta(seconds=5),
            "ended_at": started + timedelta(seconds=30 if missed else 125), "duration_seconds": 0 if missed else 120,
            "queued": missed and index % 8 != 0 and index < 50, "callback_due_at": started + timedelta(minutes=30) if missed else None,
            "called_back_by": index if missed and index % 8 == 0 and index > 0 else None}
    return call, ({"call_id": index + 1, "number": LINES[index % 5], "source_id": None} if inbound else None)


def fill(ctx, app) -> None:
    """One call per contact over the past year: made again when the size changed (the database
    grows in place from size to size; the calls keep a year whatever their number)."""
    from crmkit_telephony.models import Call
    from crmkit_telephony.tracking import CallSource

    with app.app_context():
        session = db.session()
        if session.execute(select(func.count()).select_from(Call)).scalar() == ctx.size:
            return
        session.execute(delete(CallSource.__table__))
        session.execute(delete(Call.__table__))
        now = datetime.now(UTC)
        calls, sources = [], []
        for index in range(ctx.size):
            call, source = rows_of(index, now, ctx.data.owner_ids, ctx.size)
            calls.append(call)
            if source:
                sources.append(source)
            if len(calls) == BATCH:
                session.execute(insert(Call.__table__), calls)
                session.execute(insert(CallSource.__table__), sources)
                calls, sources = [], []
        if calls:
            session.execute(insert(Call.__table__), calls)
        if sources:
            session.execute(insert(CallSource.__table__), sources)
        if session.get_bind().dialect.name == "postgresql":  # the ids were given: calls the PBX posts next follow them
            session.execute(text("SELECT setval(pg_get_serial_sequence('telephony_call', 'id'), "
                                 "(SELECT coalesce(max(id), 0) + 1 FROM telephony_call), false)"))
        session.commit()


def bound(app, params: dict) -> dict:
    process = DateTime(timezone=True).bind_processor(db.engine_of(app).dialect) or (lambda value: value)
    return {name: process(value) if isinstance(value, datetime) else value for name, value in params.items()}


def run_context(app, report, args):
    session = db.session()
    admin = session.execute(select(User).where(User.email == world.ADMIN_EMAIL)).scalar_one()
    return Context.build(report, admin, args, session)


@core.measurement("telephony", order=68)
def telephony_reports(ctx):
    app = telephony_app(ctx)
    fill(ctx, app)
    client = world.logged_in_client(app)
    registry = {report.key: report for report in app.extensions["crmkit.reports"]}
    for key, args, reading in REPORTS:
        report = registry[key]
        query = "".join(f"&{name}={value}" for name, value in args.items())
        view = f"{key}, {reading}"
        with app.test_request_context():
            raw = [(sql, bound(app, params)) for sql, params in report.raw_sql(run_context(app, report, args))]
        page = with_baseline(ctx, "telephony", f"report {view}: page (admin)", [f"/reports/{key}/?x=1{query}"],
                             [raw], "the report's hand-written SQL (raw_sql)", client=client,
                             target=f"p50 < {REPORT_TARGET_MS:g} ms")
        yield judged(page, "p50_ms", REPORT_TARGET_MS)

        def figures(_input, report=report, args=args):
            with app.test_request_context():
                return engine.run(report, run_context(app, report, args))

        timed = core.latency(core.sample(figures, [None] * ctx.settings.samples, ctx.settings.rounds))
        baseline = core.latency(ctx.sql_times([raw] * ctx.settings.samples))
        timed["x_baseline_p50"] = round(timed["p50_ms"] / max(baseline["p50_ms"], 1e-6), 1)
        row = ctx.row("telephony", f"report {view}: its figures (engine.run) (admin)", timed,
                      baseline_label="the report's hand-written SQL (raw_sql)", baseline=baseline,
                      target=f"<= {REPORT_RATIO:g}x raw SQL")
        row.met = timed["x_baseline_p50"] <= REPORT_RATIO
        yield row
