"""The mailbox channel: the lead mailboxes page (first and a deep page of taken messages) and the
lookup of the lead an answer belongs to, each beside the raw SQL of the same rows, over one taken
message per contact of the size. None may grow with the table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from benchmarks import core
from benchmarks.measures.pages import judged, with_baseline
from crmkit import db
from crmkit.core.intake_mail import threads
from crmkit.core.intake_mail.models import Mailbox, MailMessage

PAGE_TARGET_MS = 60.0  # like the lead queue pages: a page of 50 rows in the full layout
LOOKUP_TARGET_MS = 2.0
BATCH = 20_000
MAILBOXES_SQL = "SELECT * FROM intake_mail_mailbox ORDER BY name, id LIMIT 200"
MESSAGES_SQL = ("SELECT * FROM intake_mail_message WHERE mailbox_id IS NOT NULL {before} "
                "ORDER BY id DESC LIMIT 51")
THREAD_SQL = ("SELECT lead_id FROM intake_mail_message WHERE message_id IN (:a, :b, :c) AND lead_id IS NOT NULL "
              "ORDER BY id DESC LIMIT 1")
LEAD_SQL = "SELECT * FROM leads_lead WHERE channel = 'email' AND external_id IN (:a, :b, :c)"  # unique: at most 3 rows


def message_id(number: int) -> str:
    return f"<bench-{number}@example.kz>"


def fill(ctx) -> int:
    """The id nine tenths of the way back in the taken messages; rows are inserted once per size."""
    with ctx.app.app_context():
        session = db.session()
        count = ctx.scalar("SELECT count(*) FROM intake_mail_message")
        if count < ctx.size:
            mailbox_id = session.execute(select(Mailbox.id).limit(1)).scalar()
            if mailbox_id is None:
                mailbox = Mailbox(name="Sales", host="imap.example.kz", username="sales@example.kz")
                session.add(mailbox)
                session.flush()
                mailbox_id = mailbox.id
            start, rows = datetime.now(UTC) - timedelta(days=3 * 365), []
            for number in range(count, ctx.size):
                rows.append({"mailbox_id": mailbox_id, "uidvalidity": 1, "uid": number + 1, "message_id": message_id(number),
                             "lead_id": None, "activity_id": None, "outcome": "lead", "sender": f"client{number}@example.kz",
                             "subject": f"Заявка {number}", "size": 4000 + number % 5000, "note": None,
                             "taken_at": start + timedelta(minutes=number)})
                if len(rows) == BATCH:
                    session.execute(insert(MailMessage.__table__), rows)
                    rows = []
            if rows:
                session.execute(insert(MailMessage.__table__), rows)
            session.commit()
        return ctx.scalar("SELECT id FROM intake_mail_message ORDER BY id LIMIT 1 OFFSET :k", k=int(ctx.size * 0.1))


def lookup_times(ctx, samples: list[list[str]]) -> list[float]:
    with ctx.app.app_context():
        return core.sample(threads.lead_by_thread, samples, ctx.settings.rounds)


@core.measurement("intake_mail", order=69)
def mailbox_pages(ctx):
    deep = fill(ctx)
    label = "raw SQL of the same page"
    target = f"p50 < {PAGE_TARGET_MS:g} ms; 1M within 1.5x of 10k"
    for case, url, before in (("lead mailboxes page, recent messages (admin)", "/admin/lead-mailboxes/", ""),
                              ("lead mailboxes page, a page 90% back", f"/admin/lead-mailboxes/?before={deep}", f"AND id < {deep}")):
        sql = [[(MAILBOXES_SQL, {}), (MESSAGES_SQL.format(before=before), {})]]
        yield judged(with_baseline(ctx, "intake_mail", case, [url], sql, label, target=target), "p50_ms", PAGE_TARGET_MS)
    step = max(1, ctx.size // ctx.settings.samples)
    samples = [[message_id(n), message_id(n + 1), "<unknown@example.kz>"] for n in range(0, ctx.size - 1, step)][: ctx.settings.samples]
    page = core.latency(lookup_times(ctx, samples))
    raw = core.latency(ctx.sql_times([[(THREAD_SQL, {"a": a, "b": b, "c": c}), (LEAD_SQL, {"a": a, "b": b, "c": c})]
                                      for a, b, c in samples]))
    page["x_baseline_p50"] = round(page["p50_ms"] / max(raw["p50_ms"], 1e-6), 1)
    row = ctx.row("intake_mail", "the lead an answer belongs to (In-Reply-To/References lookup, no match)", page,
                  baseline_label="raw SQL of the same two queries", baseline=raw, target=f"p50 < {LOOKUP_TARGET_MS:g} ms")
    yield judged(row, "p50_ms", LOOKUP_TARGET_MS)
