"""The automation run log at each size, beside the raw SQL it stands for.

One run per contact of the size is logged (a tenth of them errors, spread over ten rules); the
admin's log page is measured first, deep (its keyset ``before`` nine tenths down) and filtered by
rule and result: none may grow with the table (indexes on (rule_id, id) and (result, id)).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from benchmarks import core
from benchmarks.measures.pages import judged, with_baseline
from crmkit import db
from crmkit.core.automation.models import Rule, RuleRun

PAGE_TARGET_MS = 50.0
BATCH = 20_000
PER_PAGE = 50
RULES = 10


def fill(ctx) -> list[int]:
    """The rules' ids; the runs are inserted once per size."""
    with ctx.app.app_context():
        session = db.session()
        rules = list(session.execute(select(Rule.id).order_by(Rule.id)).scalars())
        if not rules:
            session.execute(insert(Rule.__table__), [
                {"name": f"Benchmark rule {n}", "entity": "person", "trigger": {"type": "record_created"}, "conditions": {},
                 "actions": [{"type": "create_task", "subject": "Call"}], "enabled": False, "position": n, "memo": {},
                 "created_at": datetime.now(UTC), "updated_at": datetime.now(UTC)} for n in range(RULES)])
            rules = list(session.execute(select(Rule.id).order_by(Rule.id)).scalars())
        if session.execute(select(RuleRun.id).limit(1)).scalar() is None:
            start, rows = datetime.now(UTC) - timedelta(days=60), []
            for index in range(ctx.size):
                rows.append({"rule_id": rules[index % RULES], "rule_name": f"Benchmark rule {index % RULES}", "entity": "person",
                             "record_id": index + 1, "trigger": "record_created", "result": "error" if index % 10 == 0 else "ok",
                             "message": "Task «Call» for the owner.", "duration_ms": 1.5, "depth": 1,
                             "at": start + timedelta(seconds=index * 5)})
                if len(rows) == BATCH:
                    session.execute(insert(RuleRun.__table__), rows)
                    rows = []
            if rows:
                session.execute(insert(RuleRun.__table__), rows)
        session.commit()
        return rules


@core.measurement("automation", order=76)
def automation(ctx):
    rules = fill(ctx)
    client = ctx.client()
    deep = ctx.scalar("SELECT id FROM automation_run ORDER BY id LIMIT 1 OFFSET (SELECT count(*) / 10 FROM automation_run)")
    names = ("SELECT id, name FROM automation_rule ORDER BY name LIMIT 1000", {})
    target = f"p50 < {PAGE_TARGET_MS:g} ms; 1M within 1.5x of 10k"
    cases = (
        ("first page", "/admin/automation/log", "", {}),
        ("deep page", f"/admin/automation/log?before={deep}", " WHERE id < :before", {"before": deep}),
        ("one rule's errors", f"/admin/automation/log?rule={rules[0]}&result=error",
         " WHERE rule_id = :rule AND result = 'error'", {"rule": rules[0]}),
    )
    for title, url, where, params in cases:
        sql = [(f"SELECT * FROM automation_run{where} ORDER BY id DESC LIMIT {PER_PAGE + 1}", params), names]
        row = with_baseline(ctx, "automation", f"automation run log, {title} (admin)", [url], [sql],
                            "raw SQL: the page's runs and the rules' names", client=client, target=target)
        yield judged(row, "p50_ms", PAGE_TARGET_MS)
