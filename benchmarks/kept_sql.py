"""The SQL of the funnel and of plan and fact before and after their kept rows (migration
c7a1e2b3d4f6), timed read-only on a benchmark SQLite file (one grown by ``benchmarks.deals``):

    python -m benchmarks.kept_sql /tmp/crmkit-bench-contacts-*/bench.sqlite3

Before: the funnel's hand-written SQL over ``core_transition`` joined to the deals (raw.py as of
commit cd2dd62~1, read with git), and plan and fact's won deals summed from the deals. After: the
same figures over ``pipelines_funnel_stay`` and the kept won days. Prints CPU p50 of 5 runs and
the figures, which must be equal."""

from __future__ import annotations

import importlib.util
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from crmkit.core.pipelines.reports import raw as kept_raw
from crmkit.core.pipelines.reports.funnel_sql import StageRef

BEFORE = "cd2dd62~1"
FMT = "%Y-%m-%d %H:%M:%S.%f"
WON_BEFORE = ("SELECT d.owner_id, sum(d.won_amount), count(*) FROM pipelines_deal d JOIN pipelines_stage s ON s.id = d.stage_id "
              "WHERE s.kind = 'won' AND d.archived_at IS NULL AND d.currency = 'KZT' AND d.owner_id IS NOT NULL "
              "AND d.closed_at >= ? AND d.closed_at < ? GROUP BY d.owner_id")
WON_AFTER = ("SELECT owner_id, sum(won), sum(deals) FROM (SELECT t.owner_id, t.won, t.deals FROM pipelines_deal_total t "
             "JOIN pipelines_stage s ON s.id = t.stage_id WHERE s.kind = 'won' AND t.day >= ? AND t.day < ? AND t.currency = 'KZT' "
             "AND t.owner_id <> 0 UNION ALL SELECT d.owner_id, round(d.won_amount * 100), 1 FROM pipelines_deal d "
             "JOIN pipelines_stage s ON s.id = d.stage_id WHERE s.kind = 'won' AND d.archived_at IS NULL AND d.currency = 'KZT' "
             "AND d.owner_id IS NOT NULL AND ((d.closed_at >= ? AND d.closed_at < ?) OR (d.closed_at >= ? AND d.closed_at < ?))) w "
             "GROUP BY owner_id")


def old_raw():
    source = subprocess.run(["git", "show", f"{BEFORE}:crmkit/core/pipelines/reports/raw.py"], capture_output=True, text=True,
                            check=True, cwd=Path(__file__).parent).stdout
    path = Path(tempfile.mkdtemp()) / "raw_before.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("raw_before", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def timed(run) -> tuple[float, object]:
    times, found = [], None
    for _ in range(5):
        began = time.process_time()
        found = run()
        times.append((time.process_time() - began) * 1000)
    return statistics.median(times), found


def main(path: str) -> None:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    deals = con.execute("SELECT count(*) FROM pipelines_deal").fetchone()[0]
    pipeline = con.execute("SELECT min(pipeline_id) FROM pipelines_deal").fetchone()[0]
    stages = [StageRef(i, k) for i, k in con.execute("SELECT id, kind FROM pipelines_stage WHERE pipeline_id = ? "
                                                      "ORDER BY position, id", (pipeline,))]
    now = datetime.now(UTC)
    end = datetime(now.year, now.month, 1, tzinfo=UTC)
    start = (end - timedelta(days=1)).replace(day=1)
    params = {"start": start.strftime(FMT), "end": end.strftime(FMT), "now": now.strftime(FMT), "pipeline": pipeline,
              "currency": "KZT", "source": None}
    period = "AND t.at >= :start AND t.at < :end"
    agent = con.execute("SELECT min(owner_id) FROM pipelines_deal").fetchone()[0]
    before = old_raw()
    for who, mine_after, mine_before in (("admin", "", ""), ("an agent", f"AND t.owner_id IN ({agent})", f"AND d.owner_id IN ({agent})")):
        for label, module, mine in (("kept stays", kept_raw, mine_after), ("core_transition joined to deals", before, mine_before)):
            statements = [module.stage_sql("sqlite", stages, period, mine), module.closing_sql("sqlite", stages, period, mine)]
            cpu, found = timed(lambda: [con.execute(sql, params).fetchall() for sql in statements])
            print(f"{deals:,} deals, funnel of last month, {who}, {label}: CPU p50 {cpu:.1f} ms "
                  f"(entries {sum(r[1] for r in found[0])}, won and lost {found[1][0][:2]})")
    first_moment = datetime(now.year, 1, 1, tzinfo=UTC) - timedelta(hours=5)  # January 1 at UTC+5
    last_moment = datetime(now.year + 1, 1, 1, tzinfo=UTC) - timedelta(hours=5)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    first, after = (first_moment - epoch).days + 1, (last_moment - epoch).days
    cut = (first_moment.strftime(FMT), (epoch + timedelta(days=first)).strftime(FMT), (epoch + timedelta(days=after)).strftime(FMT),
           last_moment.strftime(FMT))
    for label, sql, args in (("the deals", WON_BEFORE, (first_moment.strftime(FMT), last_moment.strftime(FMT))),
                             ("kept days and the cut days", WON_AFTER, (first, after, *cut))):
        cpu, found = timed(lambda: con.execute(sql, args).fetchall())
        print(f"{deals:,} deals, plan and fact's won of this year, {label}: CPU p50 {cpu:.1f} ms "
              f"({sum(r[2] for r in found)} won deals, {len(found)} owners)")


if __name__ == "__main__":
    main(sys.argv[1])
