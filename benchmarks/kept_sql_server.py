"""The funnel's hand-written SQL before and after the kept stays on a database of its own grown to
SIZE deals, timed by the server (PostgreSQL's EXPLAIN ANALYZE Execution Time; on SQLite, CPU):

    python -m benchmarks.kept_sql_server postgresql 1000000

Before: over ``core_transition`` joined to the deals (raw.py before cd2dd62, read with git);
after: over ``pipelines_funnel_stay``. The admin's funnel of last month; p50 of 7 runs."""

from __future__ import annotations

import statistics
import sys
import time

from sqlalchemy import text

from benchmarks import data, deals, world
from benchmarks.kept_sql import old_raw
from benchmarks.measures.funnel import raw_statements, vacuumed
from crmkit import db


class Measured:
    """What ``raw_statements`` and ``vacuumed`` read of a measurement's context."""

    def __init__(self, app, engine: str):
        self.app, self.engine = app, engine


def server_ms(connection, engine: str, statements) -> float:
    total = 0.0
    for sql, params in statements:
        if engine == "postgresql":
            total += connection.execute(text("EXPLAIN (ANALYZE, FORMAT JSON) " + sql), params).scalar()[0]["Execution Time"]
        else:
            began = time.process_time()
            connection.execute(text(sql), params).all()
            total += (time.process_time() - began) * 1000
    return total


def main(engine: str, size: int) -> None:
    database = world.new_database(engine, world.DEFAULT_POSTGRES, "keptsql")
    try:
        app = database.app()
        world.migrate(app)
        dataset = data.setup_users(app)
        data.grow(app, dataset, 1000)
        found = deals.grow(app, dataset, size)
        ctx = Measured(app, engine)
        vacuumed(ctx)
        args = {"pipeline": str(found.pipeline_id), "period": "last_month"}
        after = raw_statements(ctx, world.ADMIN_EMAIL, args)
        before = raw_statements(ctx, world.ADMIN_EMAIL, args, sql=old_raw().funnel_sql)
        with db.engine_of(app).connect() as connection:
            for label, statements in (("kept stays", after), ("core_transition joined to the deals", before)):
                times = [server_ms(connection, engine, statements) for _ in range(7)]
                print(f"{engine} {size:,} deals, funnel of last month (admin), {label}: p50 {statistics.median(times):.1f} ms")
    finally:
        database.dispose()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
