"""The notifications page and the bell's count at each size, beside the raw SQL they stand for.

One notification per contact of the size is spread over the benchmark's users; the agent measured
holds a tenth of them (a busy inbox), a fifth unread. The page is measured first and deep (its
keyset ``before`` nine tenths down), the count through ``/notifications/count``, which every page's
bell runs too: neither may grow with the table.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from benchmarks import core
from benchmarks.measures.pages import judged, with_baseline
from crmkit import db
from crmkit.core.auth.models import User
from crmkit.core.notifications.models import Notification

PAGE_TARGET_MS = 50.0
COUNT_TARGET_MS = 10.0
BATCH = 20_000
PER_PAGE = 25


def fill(ctx) -> tuple[int, int]:
    """The agent's id and how many notifications they hold; inserted once per size."""
    with ctx.app.app_context():
        session = db.session()
        users = list(session.execute(select(User.id, User.email).order_by(User.id)))
        agent = next(user_id for user_id, email in users if email == ctx.agent_email)
        others = [user_id for user_id, _email in users if user_id != agent] or [agent]
        existing = session.execute(select(Notification.id).limit(1)).scalar()
        mine = ctx.size // 10
        if existing is None:
            start = datetime.now(UTC) - timedelta(days=60)
            rows = []
            for index in range(ctx.size):
                owner = agent if index % 10 == 0 else others[index % len(others)]
                rows.append({"user_id": owner, "kind": "general", "title": f"Deal {index} moved to Negotiation",
                             "body": None, "url": None, "record_entity": None, "record_id": None,
                             "created_at": start + timedelta(seconds=index * 5),
                             "read_at": None if index % 50 == 0 else start + timedelta(seconds=index * 5 + 60)})
                if len(rows) == BATCH:
                    session.execute(insert(Notification.__table__), rows)
                    rows = []
            if rows:
                session.execute(insert(Notification.__table__), rows)
            session.commit()
        return agent, mine


@core.measurement("notifications", order=75)
def notifications(ctx):
    agent, _mine = fill(ctx)
    client = ctx.client(ctx.agent_email)
    page_sql = ("SELECT * FROM core_notification WHERE user_id = :user{before} ORDER BY id DESC LIMIT " + str(PER_PAGE + 1))
    count_sql = "SELECT count(*) FROM core_notification WHERE user_id = :user AND read_at IS NULL"
    deep = ctx.scalar("SELECT id FROM core_notification WHERE user_id = :user ORDER BY id LIMIT 1 OFFSET "
                      "(SELECT count(*) / 10 FROM core_notification WHERE user_id = :user)", user=agent)
    target = f"p50 < {PAGE_TARGET_MS:g} ms; 1M within 1.5x of 10k"
    label = "raw SQL: the page's rows and the bell's count"
    for title, url, before in (("first page", "/notifications/", ""), ("deep page", f"/notifications/?before={deep}", " AND id < :before")):
        sql = [(page_sql.format(before=before), {"user": agent, "before": deep}), (count_sql, {"user": agent}),
               (count_sql, {"user": agent})]  # the page's own count and the bell's
        row = with_baseline(ctx, "notifications", f"notifications page, {title} (agent)", [url], [sql], label,
                            client=client, target=target)
        yield judged(row, "p50_ms", PAGE_TARGET_MS)
    row = with_baseline(ctx, "notifications", "the bell's unread count (agent)", ["/notifications/count"],
                        [[(count_sql, {"user": agent})]], "raw SQL count", client=client,
                        target=f"p50 < {COUNT_TARGET_MS:g} ms")
    yield judged(row, "p50_ms", COUNT_TARGET_MS)
