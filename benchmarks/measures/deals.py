"""Deals: the pipeline board's server time as deals pile up (beside the raw SQL of the same page),
a stage move (beside its UPDATE and transition INSERT) and the deal import (beside raw inserts).

The deals (benchmarks/deals.py) are one per contact in one pipeline: up to 10,000 open, the rest
closed over three years, so the board at 1M holds what a big sales team's board holds.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from sqlalchemy import text

from benchmarks import core, deals, world
from benchmarks.measures.importing import ctx_count, raw_insert, write
from benchmarks.measures.pages import judged, with_baseline
from crmkit import db
from crmkit.core.auth.models import User
from crmkit.core.pipelines import board_data, setup, totals
from crmkit.core.pipelines.models import Deal
from crmkit.entities.service import Records

BOARD_TARGET_MS = 50.0
MOVE_RATIO = 2.0
CARD_COLUMNS = "id, version, title, stage_id, organization_id, amount, currency, stage_entered_at, closed_at"
IMPORT_HEADER = ["title", "pipeline_id", "stage_id", "amount", "currency", "expected_close_on", "source"]


def since_param(ctx, moment: datetime | None = None) -> object:
    """The board's "closed lately" bound (or ``moment``) as the driver stores it (SQLite keeps text)."""
    since = moment or datetime.now(UTC) - timedelta(days=board_data.CLOSED_DAYS)
    dialect = db.engine_of(ctx.app).dialect
    process = Deal.__table__.c.closed_at.type.bind_processor(dialect)
    return process(since) if process else since


def board_sql(ctx, found: deals.DealSet, owner: int | None = None) -> list[tuple[str, dict]]:
    """The statements of one board page: the column totals as the page reads them (the kept totals
    of the open stages and of the closed ones' last days, then the deals closed in the window's
    first day, which the kept days don't split), 51 cards per column, their organisations and next
    tasks (card ids as the page would find them)."""
    mine = "AND owner_id = :owner" if owner else ""
    since = datetime.now(UTC) - timedelta(days=board_data.CLOSED_DAYS)
    first_day = totals.day_of(since)
    params = {"since": since_param(ctx), "owner": owner, "day": first_day,
              "until": since_param(ctx, totals.day_start(first_day + 1))}
    closed = [found.stages["Won"], found.stages["Lost"]]
    closed_ids = ", ".join(map(str, closed))
    kept = "SELECT stage_id, currency, deals, amounts, amount, unweighted, weighted FROM pipelines_deal_total WHERE stage_id = "
    ranges = [f"{kept}{stage} {mine}" for stage in found.open_stage_ids] + [f"{kept}{stage} AND day > :day {mine}" for stage in closed]
    statements = [
        (f"SELECT stage_id, currency, sum(deals), sum(amounts), sum(amount), sum(unweighted), sum(weighted) "
         f"FROM ({' UNION ALL '.join(ranges)}) AS kept GROUP BY stage_id, currency HAVING sum(deals) != 0", params),
        (f"SELECT stage_id, currency, count(*), count(amount), sum(amount), sum(CASE WHEN probability IS NULL THEN amount END), "
         f"sum(amount * probability) FROM pipelines_deal WHERE archived_at IS NULL {mine} AND stage_id IN ({closed_ids}) "
         "AND closed_at >= :since AND closed_at < :until GROUP BY stage_id, currency", params),
    ]
    card_ids, organisations = [], set()
    with ctx.app.app_context():
        session = db.session()
        for stage in [*found.open_stage_ids, *closed]:
            if stage in closed:
                where, order = "AND closed_at >= :since", "closed_at DESC, id DESC"
            else:
                where, order = "", "archived_at DESC, id DESC"
            sql = (f"SELECT {CARD_COLUMNS} FROM pipelines_deal WHERE archived_at IS NULL AND stage_id = {stage} {mine} "
                   f"{where} ORDER BY {order} LIMIT 51")
            statements.append((sql, params))
            for row in session.execute(text(sql), params).mappings():
                card_ids.append(row["id"])
                organisations.add(row["organization_id"])
    ids = ", ".join(str(i) for i in card_ids) or "0"
    statements.append((f"SELECT id, name FROM contacts_organization WHERE id IN ({', '.join(str(o) for o in organisations) or '0'})", {}))
    statements.append((f"SELECT * FROM activity WHERE about_entity = 'deal' AND about_id IN ({ids}) AND kind = 'task' "
                       "AND status = 'open' AND archived_at IS NULL ORDER BY about_id, happened_at, id", {}))
    return statements


def noted(ctx, row: core.Row) -> core.Row:
    """Say so when the contacts were not grown with the deals (``python -m benchmarks.deals``)."""
    if ctx.data.people < ctx.size:
        row.note = f"{ctx.size:,} deals over {ctx.data.people:,} contacts"
    return row


@core.measurement("board", order=60)
def board(ctx):
    found = deals.grow(ctx.app, ctx.data, ctx.size)
    target = f"p50 < {BOARD_TARGET_MS:g} ms; 1M within 1.5x of 10k"
    label = "raw SQL of the same page"
    url = f"/pipelines/{found.pipeline_id}/board"
    yield noted(ctx, judged(with_baseline(ctx, "board", "pipeline board, every deal (admin)", [url],
                                          [board_sql(ctx, found)], label, target=target), "p50_ms", BOARD_TARGET_MS))
    owner = ctx.data.owner_ids[0]
    yield noted(ctx, judged(with_baseline(ctx, "board", "pipeline board as an agent (own deals)", [url], [board_sql(ctx, found, owner)],
                                          label, client=ctx.client(ctx.agent_email), target=target), "p50_ms", BOARD_TARGET_MS))
    page = ctx.client().get(url).get_data(as_text=True)
    more = re.search(r'data-more href="([^"]+)"', page)
    if more:
        next_page = more.group(1).replace("&amp;", "&")
        sql = [(f"SELECT {CARD_COLUMNS} FROM pipelines_deal WHERE archived_at IS NULL AND stage_id = {found.open_stage_ids[0]} "
                "AND id < :after ORDER BY archived_at DESC, id DESC LIMIT 51",
                {"after": int(re.search(r"after=(\d+)", next_page).group(1))})]
        yield noted(ctx, judged(with_baseline(ctx, "board", "a column's next 50 cards (show more, no JavaScript)", [next_page],
                                              [sql], label, target=target), "p50_ms", BOARD_TARGET_MS))


@core.measurement("deal move", order=61)
def move(ctx):
    """Records.update of a deal's stage (what the board's endpoint calls: workflow, history,
    transition, events, commit) beside the UPDATE and the transition INSERT with a commit."""
    found = deals.grow(ctx.app, ctx.data, ctx.size)
    ids = found.open_ids[: max(4, ctx.settings.samples)]
    first, second = found.open_stage_ids[:2]
    with ctx.app.test_request_context():
        session = db.session()
        admin = session.get(User, ctx.data.admin_id)
        records = Records(current_app.extensions["crmkit"].entities.get("deal"), admin, session)
        loaded = {i: records.get(i) for i in ids}

        def move_one(deal_id: int) -> None:
            deal = loaded[deal_id]
            records.update(deal, {"stage_id": second if deal.stage_id == first else first}, version=deal.version)

        service = core.latency(core.sample(move_one, ids, ctx.settings.rounds))
    raw = core.latency(raw_moves(ctx, ids, first, second))
    service["x_baseline_p50"] = round(service["p50_ms"] / max(raw["p50_ms"], 1e-6), 1)
    row = ctx.row("deal move", "a stage move through Records.update", service, baseline_label="raw SQL: UPDATE, the previous stay's end, transition INSERT, committed",
                  baseline=raw, target=f"<= {MOVE_RATIO:g}x raw SQL")
    row.met = service["x_baseline_p50"] <= MOVE_RATIO
    yield noted(ctx, row)
    floor = core.latency(session_moves(ctx, ids, first, second))
    floor["x_baseline_p50"] = round(floor["p50_ms"] / max(raw["p50_ms"], 1e-6), 1)
    yield noted(ctx, ctx.row("deal move", "the same statements through SQLAlchemy's Session, committed (no validation, hooks "
                             "or history)", floor, baseline_label="raw SQL: UPDATE, the previous stay's end, transition INSERT, "
                             "committed", baseline=raw))


def move_statements(engine: str) -> tuple[str, str, str]:
    """A move in SQL: the deal's UPDATE, the end of the stay it leaves, the transition INSERT."""
    update = ("UPDATE pipelines_deal SET stage_id = :stage, stage_entered_at = :now, updated_at = :now, version = version + 1 "
              "WHERE id = :id")
    span = ("CAST(round(extract(epoch FROM :now - at)) AS INTEGER)" if engine == "postgresql"
            else "CAST(round((julianday(:now) - julianday(at)) * 86400) AS INTEGER)")
    ended = (f"UPDATE core_transition SET left_at = :now, seconds = {span} "
             "WHERE entity = 'deal' AND record_id = :id AND left_at IS NULL")
    transition = ("INSERT INTO core_transition (entity, record_id, field, from_state, to_state, user_id, at) "
                  "VALUES ('deal', :id, 'stage_id', :from_state, :to_state, :user, :now)")
    return update, ended, transition


def timed_moves(ctx, ids: list[int], first: int, second: int, execute, commit) -> list[float]:
    """Each deal moved between ``first`` and ``second`` by ``move_statements``, each statement run
    by ``execute(sql, params)`` and the move ended by ``commit()``; the moments bound as SQLAlchemy
    stores them (SQLite: UTC text)."""
    update, ended, transition = move_statements(ctx.engine)
    process = Deal.__table__.c.updated_at.type.bind_processor(db.engine_of(ctx.app).dialect) or (lambda value: value)
    stage_of = dict.fromkeys(ids, first)

    def run(deal_id: int) -> None:
        now = process(datetime.now(UTC))
        old = stage_of[deal_id]
        new = second if old == first else first
        execute(update, {"stage": new, "now": now, "id": deal_id})
        execute(ended, {"now": now, "id": deal_id})
        execute(transition, {"id": deal_id, "from_state": str(old), "to_state": str(new), "user": ctx.data.admin_id, "now": now})
        commit()
        stage_of[deal_id] = new

    return core.sample(run, ids, ctx.settings.rounds)


def raw_moves(ctx, ids: list[int], first: int, second: int) -> list[float]:
    """The move's statements on the driver's own connection."""
    connection = db.engine_of(ctx.app).raw_connection()
    try:
        cursor = connection.cursor()
        return timed_moves(ctx, ids, first, second, lambda sql, params: cursor.execute(*ctx.dbapi(sql, params)),
                           connection.commit)
    finally:
        connection.close()


def session_moves(ctx, ids: list[int], first: int, second: int) -> list[float]:
    """The same statements through SQLAlchemy's Session, committed: what any move written with
    SQLAlchemy costs at the least, before validation, the workflow's hooks and the history row."""
    compiled = {sql: text(sql) for sql in move_statements(ctx.engine)}  # made once, as SQLAlchemy caches its own
    with ctx.app.app_context():
        session = db.session()
        return timed_moves(ctx, ids, first, second, lambda sql, params: session.execute(compiled[sql], params), session.commit)


@core.measurement("deal import", order=12)
def deal_import(ctx):
    """`crmkit import deal FILE` into an empty database of its own, beside raw inserts of the rows."""
    if ctx.first:
        yield import_row(ctx, min(ctx.settings.import_rows, ctx.size))


def import_row(ctx, count: int) -> core.Row:
    database = world.new_database(ctx.engine, ctx.settings.postgres_url, "deals")
    try:
        app = database.app()
        world.migrate(app)
        admin = world.add_user(app, world.ADMIN_EMAIL, is_admin=True)
        with app.app_context():
            pipeline_id = setup.create_pipeline(db.session(), {"en": "Sales"}).id
            first_stage = setup.stages_of(db.session(), pipeline_id)[0].id
        rows = [[f"Поставка цемента #{i}", str(pipeline_id), str(first_stage), f"{150_000 + i * 7 % 900_000}.50", "KZT",
                 (date(2026, 1, 1) + timedelta(days=i % 365)).isoformat(), ("website", "referral", "")[i % 3]] for i in range(count)]
        path = database.folder / "deals.csv"
        write(path, IMPORT_HEADER, rows)
        now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
        columns = [*IMPORT_HEADER, "version", "owner_id", "created_by_id", "created_at", "updated_at", "extra",
                   "stage_entered_at"]
        values = [(r[0], pipeline_id, first_stage, r[3], r[4], r[5], r[6] or None, 1, admin.id, admin.id, now, now, "{}", now)
                  for r in rows]
        raw = raw_insert(ctx, app, "pipelines_deal", columns, values)
        cpu, began = time.process_time(), time.perf_counter()
        result = app.test_cli_runner().invoke(args=["import", "deal", str(path)])
        elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
        created = ctx_count(app, "pipelines_deal")
    finally:
        database.dispose()
    label = "COPY of the same rows (no checks)" if ctx.engine == "postgresql" else "sqlite3 executemany of the same rows (no checks)"
    figures = {"rows": count, "rows_per_s": round(count / elapsed, 1), "seconds": round(elapsed, 3),
               "cpu_rows_per_s": round(count / max(cpu, 1e-6), 1)}
    baseline = {"rows_per_s": round(count / raw, 1), "seconds": round(raw, 4)}
    row = core.Row("deal import", "deals CSV: pipeline and stage checked, money as Decimal", ctx.engine, count, figures,
                   label, baseline)
    if result.exit_code != 0 or created != count:
        row.met, row.note = False, f"import failed: exit {result.exit_code}, {created} of {count} saved: {result.output[-300:]}"
    return row

