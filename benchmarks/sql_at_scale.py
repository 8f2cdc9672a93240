"""The statements behind the lead, intake-mail, automation and notification pages, and the
automation's idle sweep, timed over tables the database itself grows to each size.

``python -m benchmarks`` fills people, activities, the search index and deals before any lead, and
that fill cannot reach 1M on a busy 2-core machine within an afternoon. Here the four tables these
pages read (leads, taken mail, rule runs, notifications) get one row per size unit each, made by
``generate_series`` or a recursive CTE in seconds, in crmkit's own schema (its migrations); the
pages' SQL is then timed as ``Context.sql_times`` times a page's baseline. Python's share of a page
does not grow with the table (it renders one page of rows), so a flat statement here is a flat page.
The two indexes of migration c7a1e2b3d4f8 are also timed away, to show what they change.

    python -m benchmarks.sql_at_scale --engine sqlite,postgresql --sizes 10k,100k,1m --merge

Rows go into benchmarks/results/<engine>.json as measurement "sql at scale" (``--merge`` keeps the
others' rows, as ``python -m benchmarks --merge`` does) and RESULTS.md is written again. On
PostgreSQL, wall time on a loaded machine is mostly waiting for a core: the server's own execution
time (EXPLAIN ANALYZE) and the pages (buffers) it touched are noted beside it.
"""

from __future__ import annotations

import argparse
import json
import shlex
import statistics
import sys
import time

from sqlalchemy import text

from benchmarks import core, data, report, world
from benchmarks.__main__ import RESULTS, merged, size_of
from benchmarks.context import Context, Settings
from crmkit import db
from crmkit import statistics as planner_statistics

MEASUREMENT = "sql at scale"
TARGET = "1M within 1.5x of 10k"
TABLES = ("leads_lead", "core_notification", "automation_run", "intake_mail_message")
# case, the index c7a1e2b3d4f8 made (table, definition), and the one it replaced, if any
BEFORE = (("lead list, one source's", "ix_leads_lead_source_list", "leads_lead", "(source_id, id) WHERE archived_at IS NULL",
           ("ix_leads_lead_source_id", "(source_id)")),
          ("idle sweep, a 5-minute window of updated_at", "ix_leads_lead_updated", "leads_lead", "(updated_at, id)", None))


class Tables:
    """The database's own row generator for one engine, and the statements that fill each table."""

    def __init__(self, app, owners: list[int], agent: int, mailbox: int):
        self.app, self.pg = app, db.engine_of(app).dialect.name == "postgresql"
        if self.pg:
            self.head, self.rows = "", "FROM generate_series(CAST(:lo AS integer), CAST(:hi AS integer)) AS g(n)"
            self.stamp = "now() - (n * interval '1 minute')"
        else:
            self.head = "WITH RECURSIVE g(n) AS (SELECT :lo UNION ALL SELECT n + 1 FROM g WHERE n < :hi) "
            self.rows, self.stamp = "FROM g", "strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || n || ' minutes')"
        self.owner = "CASE " + " ".join(f"WHEN n % {len(owners)} = {i} THEN {o}" for i, o in enumerate(owners)) + " END"
        self.agent, self.mailbox = agent, mailbox

    def fills(self) -> list[str]:
        """One lead, notification, rule run and taken message per number: the leads as
        benchmarks/leads.py spreads them (a queue of at most 2,000 new, 500 in re-processing, a
        fifth without source), a tenth of the notifications the agent's and 2% unread."""
        s, h, r = self.stamp, self.head, self.rows
        return [
            f"{h}INSERT INTO leads_lead (version, created_at, updated_at, extra, name, phones, phone_key, request, channel, "
            f"source_id, received_at, status, last_action_at, owner_id) SELECT 1, {s}, {s}, '{{}}', 'Заявка ' || n, "
            f"'+7701' || n, '+7701' || n, 'Ищу квартиру', 'form', CASE WHEN n % 5 = 4 THEN NULL ELSE n % 5 + 1 END, {s}, "
            "CASE WHEN n % 50 = 0 AND n <= 100000 THEN 'new' WHEN n % 100 = 1 AND n <= 50000 THEN 'reprocessing' "
            "WHEN n % 4 = 0 THEN 'converted' WHEN n % 4 = 1 THEN 'rejected' WHEN n % 4 = 2 THEN 'assigned' ELSE 'in_work' END, "
            f"{s}, CASE WHEN n % 50 = 0 AND n <= 100000 THEN NULL ELSE {self.owner} END {r}",
            f"{h}INSERT INTO core_notification (user_id, kind, title, created_at, read_at) SELECT "
            f"CASE WHEN n % 10 = 0 THEN {self.agent} ELSE {self.owner} END, 'general', 'Deal ' || n || ' moved', {s}, "
            f"CASE WHEN n % 50 = 0 THEN NULL ELSE {s} END {r}",
            f"{h}INSERT INTO automation_run (rule_id, rule_name, entity, record_id, trigger, result, message, duration_ms, "
            f"depth, at) SELECT NULL, 'Rule ' || (n % 10), 'person', n, 'record_created', "
            f"CASE WHEN n % 10 = 0 THEN 'error' ELSE 'ok' END, 'Task', 1.5, 1, {s} {r}",
            f"{h}INSERT INTO intake_mail_message (mailbox_id, uidvalidity, uid, message_id, outcome, sender, subject, size, "
            f"taken_at) SELECT {self.mailbox}, 1, n, '<bench-' || n || '@example.kz>', 'lead', 'c' || n || '@example.kz', "
            f"'Заявка', 4000, {s} {r}",
        ]

    def grow(self, low: int, high: int) -> None:
        with self.app.app_context():
            session = db.session()
            for statement in self.fills():
                session.execute(text(statement), {"lo": low, "hi": high})
            planner_statistics.refresh(session.connection(), list(TABLES))
            session.commit()
        if self.pg:  # as autovacuum would by now: the visibility map lets counts read the index alone
            with db.engine_of(self.app).connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                for table in TABLES:
                    connection.execute(text(f"VACUUM ANALYZE {table}"))


def one(app, sql: str, **params):
    with app.app_context():
        return db.session().execute(text(sql), params).scalar()


def statements(app, size: int, owners: list[int], agent: int) -> dict[str, list[tuple[str, dict]]]:
    """Each page's statements as crmkit runs them (a list's capped count and its page of 51)."""
    capped = "SELECT count(*) FROM (SELECT id FROM leads_lead WHERE archived_at IS NULL {w} LIMIT 1001) AS t"
    page = "SELECT * FROM leads_lead WHERE archived_at IS NULL {w} ORDER BY id DESC LIMIT 51"
    deep = one(app, "SELECT id FROM leads_lead WHERE archived_at IS NULL ORDER BY id DESC LIMIT 1 OFFSET :k", k=int(size * 0.9))
    back = {t: one(app, f"SELECT id FROM {t} ORDER BY id LIMIT 1 OFFSET :k", k=int(size * 0.1))
            for t in ("intake_mail_message", "automation_run")}
    mine = one(app, f"SELECT id FROM core_notification WHERE user_id = {agent} ORDER BY id LIMIT 1 OFFSET :k", k=int(size * 0.01))
    later = one(app, "SELECT updated_at FROM leads_lead ORDER BY id LIMIT 1 OFFSET :k", k=size // 2 - 5)
    earlier = one(app, "SELECT updated_at FROM leads_lead ORDER BY id LIMIT 1 OFFSET :k", k=size // 2)
    lists = {"lead list, first page": "", "lead list, new ones": "AND status = 'new'", "lead list, one source's": "AND source_id = 1",
             "lead list, one owner's": f"AND owner_id = {owners[1]}"}
    found = {name: [(capped.format(w=w), {}), (page.format(w=w), {})] for name, w in lists.items()}
    found["lead list, deep page (90%)"] = [(capped.format(w=""), {}), (page.format(w=f"AND id < {deep}"), {})]
    for name, status in (("unsorted queue, first page", "new"), ("re-processing queue, first page", "reprocessing")):
        found[name] = [(f"SELECT * FROM leads_lead WHERE archived_at IS NULL AND status = '{status}' ORDER BY id LIMIT 26", {})]
    found["lead mailboxes page, 90% back"] = [(
        f"SELECT * FROM intake_mail_message WHERE mailbox_id IS NOT NULL AND id < {back['intake_mail_message']} "
        "ORDER BY id DESC LIMIT 51", {})]
    found["automation log, deep page"] = [(f"SELECT * FROM automation_run WHERE id < {back['automation_run']} ORDER BY id DESC LIMIT 51", {})]
    found["automation log, errors"] = [("SELECT * FROM automation_run WHERE result = 'error' ORDER BY id DESC LIMIT 51", {})]
    unread = f"SELECT id FROM core_notification WHERE user_id = {agent} AND read_at IS NULL"
    found["unread count, every row (before eabaad8)"] = [(f"SELECT count(*) FROM ({unread}) AS t", {})]
    found["unread count, up to 100 (now)"] = [(f"SELECT count(*) FROM ({unread} LIMIT 100) AS t", {})]
    found["notifications page, deep"] = [(
        f"SELECT * FROM core_notification WHERE user_id = {agent} AND id < {mine} ORDER BY id DESC LIMIT 26", {})]
    found["idle sweep, a 5-minute window of updated_at"] = [(
        "SELECT updated_at, id FROM leads_lead WHERE updated_at > :lo AND updated_at <= :hi AND archived_at IS NULL "
        "ORDER BY updated_at, id LIMIT 500", {"lo": earlier, "hi": later})]
    return found


def server_cost(app, page: list[tuple[str, dict]]) -> tuple[float, int]:
    """PostgreSQL: the median execution time of five runs (ms) and the buffers the plans touched."""
    times, touched = [], 0
    with db.engine_of(app).connect() as connection:
        for _ in range(5):
            total, touched = 0.0, 0
            for sql, params in page:
                plan = connection.execute(text("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql), params).scalar()
                plan = (plan if isinstance(plan, list) else json.loads(plan))[0]
                total += plan["Execution Time"]
                touched += plan["Plan"].get("Shared Hit Blocks", 0) + plan["Plan"].get("Shared Read Blocks", 0)
            times.append(total)
    return statistics.median(times), touched


def timed(ctx: Context, size: int, case: str, page: list[tuple[str, dict]]) -> core.Row:
    figures = core.latency(ctx.sql_times([page] * 5))
    note = ""
    if ctx.engine == "postgresql":
        ms, touched = server_cost(ctx.app, page)
        figures.update(server_ms=round(ms, 3), buffers=touched)
        note = f"server {ms:.3f} ms, {touched} buffers"
    return core.Row(MEASUREMENT, case, ctx.engine, size, figures, target=TARGET, note=note)


def swap(app, table: str, drop: tuple | None, create: tuple | None) -> None:
    """Drop one index and create another (name, definition), then the planner's statistics again."""
    with app.app_context():
        session = db.session()
        if drop:
            session.execute(text(f"DROP INDEX {drop[0]}"))
        if create:
            session.execute(text(f"CREATE INDEX {create[0]} ON {table} {create[1]}"))
        planner_statistics.refresh(session.connection(), [table])
        session.commit()


def run_engine(engine: str, sizes: list[int], postgres_url: str | None) -> list[core.Row]:
    rows: list[core.Row] = []
    database = world.new_database(engine, postgres_url, "sql-at-scale")
    try:
        app = database.app()
        world.migrate(app)
        users = data.setup_users(app)
        from crmkit.core.intake_mail.models import Mailbox
        from crmkit.core.leads.models import Source

        with app.app_context():
            session = db.session()
            mailbox = Mailbox(name="Sales", host="imap.example.kz", username="sales@example.kz")
            session.add_all([mailbox, *(Source(key=key, names={"en": key}) for key in ("krisha", "olx", "instagram", "site"))])
            session.commit()
            mailbox_id = mailbox.id
        tables = Tables(app, users.owner_ids, users.owner_ids[0], mailbox_id)
        ctx = Context(engine, 0, database, app, users, Settings(rounds=5, samples=1))
        grown = 0
        for size in sizes:
            began = time.perf_counter()
            tables.grow(grown + 1, size)
            grown = size
            print(f"# {engine}: {size:,} rows in each of {', '.join(TABLES)}, grown in {time.perf_counter() - began:.0f} s", flush=True)
            found = statements(app, size, users.owner_ids, users.owner_ids[0])
            measured = {name: timed(ctx, size, name, page) for name, page in found.items()}
            for name, index, table, columns, replaced in BEFORE:
                swap(app, table, (index, None), replaced)
                before = timed(ctx, size, name, found[name])
                swap(app, table, (replaced[0], None) if replaced else None, (index, columns))
                row = measured[name]
                row.baseline_label, row.baseline = f"before c7a1e2b3d4f8 (without {index})", before.figures
                if before.note:
                    row.note += f"; before: {before.note}"
            rows.extend(measured.values())
            for row in measured.values():
                print("\t".join(report.cells(row)), flush=True)
    finally:
        database.dispose()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sql_at_scale", description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", default="sqlite", help="sqlite, postgresql or both, comma-separated")
    parser.add_argument("--sizes", default="10k,100k,1m", help="rows per table, comma-separated (default 10k,100k,1m)")
    parser.add_argument("--postgres-url", default=world.DEFAULT_POSTGRES)
    parser.add_argument("--merge", action="store_true", help="keep the JSON's rows of what is not measured now")
    args = parser.parse_args(argv)
    sizes = sorted({size_of(s) for s in args.sizes.split(",") if s.strip()})
    command = "python -m benchmarks.sql_at_scale " + shlex.join(argv if argv is not None else sys.argv[1:])
    for engine in (e.strip() for e in args.engine.split(",") if e.strip()):
        rows = run_engine(engine, sizes, args.postgres_url)
        path, shown = RESULTS / f"{engine}.json", command
        if args.merge and path.exists():
            previous = json.loads(path.read_text(encoding="utf-8"))
            rows, shown = merged(previous, rows), f"{previous['command']}`, then `{command}"
        else:
            rows = rows + report.scaling(rows)
        version = report.postgres_version(args.postgres_url) if engine == "postgresql" else report.machine()["sqlite"]
        report.write_json(path, report.document(rows, {}, shown, {engine: version}))
    docs = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(RESULTS.glob("*.json"))]
    report.write_markdown(RESULTS.parent / "RESULTS.md", docs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
