"""Lead triage: the unsorted queue (first and a deep page) and the re-processing queue, each
beside the raw SQL of the same page, over one lead per contact (benchmarks/leads.py). The leads
reports are timed with every report (measures/reports.py, through their ``raw_sql``); this
measurement runs first so that they count these leads."""

from __future__ import annotations

from sqlalchemy import text

from benchmarks import core, leads
from benchmarks.measures.pages import judged, with_baseline
from crmkit import db

QUEUE_TARGET_MS = 60.0
PAGE = 26  # a page of 25 and the one that says there is more
QUEUE_SQL = f"SELECT * FROM leads_lead WHERE archived_at IS NULL AND status = :status {{after}} ORDER BY id LIMIT {PAGE}"
HINTS_SQL = ("SELECT value, entity, record_id FROM contacts_channel WHERE kind = 'phone' AND value IN ({values}) "
             "ORDER BY record_id DESC LIMIT 200")
OPEN_LEADS_SQL = ("SELECT id, phone_key, email_key FROM leads_lead WHERE phone_key IN ({values}) "
                  "AND status IN ('new', 'accepted', 'assigned', 'in_work', 'reprocessing') AND archived_at IS NULL "
                  "ORDER BY id DESC LIMIT 200")
HISTORY_SQL = ("SELECT * FROM core_transition WHERE entity = 'lead' AND record_id IN (SELECT id FROM leads_lead "
               "WHERE archived_at IS NULL AND status = 'reprocessing' ORDER BY id LIMIT 25) ORDER BY record_id, at DESC LIMIT 500")


def page_sql(ctx, status: str, after: int | None) -> list[tuple[str, dict]]:
    """The page's own statements: its leads, then (the queue) the contacts and open leads sharing
    their phones, or (quality control) their last moves."""
    params = {"status": status, "after": after}
    statements = [(QUEUE_SQL.format(after="AND id > :after" if after else ""), params)]
    if status == "new":
        phones = [row.phone_key for row in ctx_rows(ctx, status, after) if row.phone_key]
        values = ", ".join(f"'{phone}'" for phone in phones) or "''"
        statements += [(HINTS_SQL.format(values=values), {}), (OPEN_LEADS_SQL.format(values=values), {})]
    else:
        statements.append((HISTORY_SQL, {}))
    return statements


def ctx_rows(ctx, status: str, after: int | None) -> list:
    with ctx.app.app_context():
        sql = QUEUE_SQL.format(after="AND id > :after" if after else "")
        return db.session().execute(text(sql), {"status": status, "after": after}).all()


def deep_after(ctx) -> int | None:
    """The id nine tenths of the way down the queue, where a deep page starts."""
    count = ctx.scalar("SELECT count(*) FROM leads_lead WHERE archived_at IS NULL AND status = 'new'")
    if not count:
        return None
    return ctx.scalar("SELECT id FROM leads_lead WHERE archived_at IS NULL AND status = 'new' ORDER BY id LIMIT 1 OFFSET :k",
                      k=int(count * 0.9))


@core.measurement("leads", order=66)
def lead_pages(ctx):
    leads.grow(ctx.app, ctx.data, ctx.size)
    target = f"p50 < {QUEUE_TARGET_MS:g} ms"
    label = "raw SQL of the same page"
    after = deep_after(ctx)
    cases = [("unsorted queue, first page (admin)", "/lead_triage/", "new", None),
             ("unsorted queue, deep page (90%)", f"/lead_triage/?after={after}", "new", after),
             ("re-processing queue, first page (admin)", "/lead_triage/control/", "reprocessing", None)]
    for case, url, status, start in cases:
        row = with_baseline(ctx, "leads", case, [url], [page_sql(ctx, status, start)], label, target=target)
        yield judged(row, "p50_ms", QUEUE_TARGET_MS)
