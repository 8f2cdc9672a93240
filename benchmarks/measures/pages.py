"""Server time of the pages people wait for: the people list (first and deep page, sorted and
filtered), search, caller lookup and a busy contact's timeline, each beside the raw SQL that
fetches the same rows. Requests go through the real app (the Flask test client: routing, login,
permissions, queries, templates), without a network.
"""

from __future__ import annotations

import random
from urllib.parse import urlencode

from flask import url_for
from sqlalchemy import bindparam, text

from benchmarks import core
from benchmarks.data import phone_of
from crmkit import db
from crmkit.core.api.tokens import create_token
from crmkit.core.auth.models import User
from crmkit.entities.listing import decode_cursor, encode_cursor

LIST_TARGET_MS = 20.0
SEARCH_TARGET_MS = 50.0
TIMELINE_RATIO = 2.0
PAGE_SIZE = 50


def judged(row: core.Row, figure: str, limit: float) -> core.Row:
    row.met = row.figures[figure] < limit
    return row


def with_baseline(ctx, measurement: str, case: str, urls: list[str], sql: list[list[tuple[str, dict]]], label: str, **kw) -> core.Row:
    """Server time of the pages at ``urls`` beside the raw SQL of each page (a list of statements).

    A single page is asked for ``samples // 4`` times a round, so that its p95 rests on more than
    a handful of requests.
    """
    repeat = max(1, ctx.settings.samples // 4) if len(urls) == 1 else 1
    page = core.latency(ctx.server_times(urls * repeat, kw.pop("client", None), kw.pop("headers", None)))
    raw = core.latency(ctx.sql_times(sql * repeat)) if sql else {}
    if raw:
        page["x_baseline_p50"] = round(page["p50_ms"] / max(raw["p50_ms"], 1e-6), 1)
    return ctx.row(measurement, case, page, baseline_label=label, baseline=raw, **kw)


# the people list
def deep_cursor(ctx, where: str) -> str:
    """The keyset cursor of the row nine tenths of the way down the list sorted by name."""
    count = ctx.scalar(f"SELECT count(*) FROM contacts_person WHERE archived_at IS NULL {where}")
    with ctx.app.app_context():
        row = db.session().execute(
            text(f"SELECT name, id FROM contacts_person WHERE archived_at IS NULL {where} ORDER BY name, id LIMIT 1 OFFSET :k"),
            {"k": int(count * 0.9)},
        ).one()
    return encode_cursor([row[0], row[1]])


def after_name(cursor: str) -> tuple[str, dict]:
    """The keyset condition of a cursor over (name, id), as the list applies it (the first half
    bounds the name index's range)."""
    name, last_id = decode_cursor(cursor)
    return ("AND name >= :after_name AND (name > :after_name OR id > :after_id)",
            {"after_name": name, "after_id": last_id})


LIST_SQL = ("SELECT * FROM contacts_person WHERE archived_at IS NULL {where} {after} "
            "ORDER BY name, id LIMIT " + str(PAGE_SIZE + 1))


@core.measurement("list", order=20)
def people_list(ctx):
    target = f"p50 < {LIST_TARGET_MS:g} ms; 1M within 1.5x of 10k"
    label = "raw SQL of the same page"
    for title, filters, where in (("sorted by name", {}, ""), ("clients, sorted by name", {"is_client": "1"}, "AND is_client = :yes")):
        params = {"yes": True} if filters else {}
        first = f"/person/?{urlencode({**filters, 'sort': 'name'})}"
        yield judged(with_baseline(ctx, "list", f"people, first page, {title}", [first],
                                   [[(LIST_SQL.format(where=where, after=""), params)]], label, target=target), "p50_ms", LIST_TARGET_MS)
        cursor = deep_cursor(ctx, where.replace(":yes", "TRUE" if ctx.engine == "postgresql" else "1"))
        deep = f"/person/?{urlencode({**filters, 'sort': 'name', 'after': cursor})}"
        after_sql, after_params = after_name(cursor)
        yield judged(with_baseline(ctx, "list", f"people, deep page (90%), {title}", [deep],
                                   [[(LIST_SQL.format(where=where, after=after_sql), {**params, **after_params})]], label,
                                   target=target), "p50_ms", LIST_TARGET_MS)
    yield judged(with_baseline(ctx, "list", "people, first page, as an agent (own records)", ["/person/?sort=name"],
                               [[(LIST_SQL.format(where="AND owner_id = :owner", after=""), {"owner": ctx.data.owner_ids[0]})]],
                               label, client=ctx.client(ctx.agent_email), target=target), "p50_ms", LIST_TARGET_MS)
    owner = ctx.data.owner_ids[0]  # a director lists one agent's clients: the owner list index
    yield judged(with_baseline(ctx, "list", "people, first page, one owner's (owner filter)", [f"/person/?owner_id={owner}&sort=name"],
                               [[(LIST_SQL.format(where="AND owner_id = :owner", after=""), {"owner": owner})]],
                               label, target=target), "p50_ms", LIST_TARGET_MS)
    yield judged(with_baseline(ctx, "list", "activities, first page (about, with whom, owner)", ["/activity/"],
                               [[("SELECT * FROM activity WHERE archived_at IS NULL ORDER BY id DESC LIMIT " + str(PAGE_SIZE + 1), {})]],
                               label, target=target), "p50_ms", LIST_TARGET_MS)


# search
def search_queries(ctx) -> dict[str, list[str]]:
    """Distinct queries of each kind, made from people spread over the table."""
    rng = random.Random(3)
    ids = ctx.data.sample_person_ids[: ctx.settings.samples]
    with ctx.app.app_context():
        statement = text("SELECT id, name, email, phone FROM contacts_person WHERE id IN :ids ORDER BY id")
        found = db.session().execute(statement.bindparams(bindparam("ids", expanding=True)), {"ids": ids}).all()
    queries: dict[str, list[str]] = {"name prefix": [], "name fragment": [], "phone fragment": [], "email": []}
    for _id, name, email, phone in found:
        surname = name.split()[0]
        queries["name prefix"].append(surname[:4])
        start = rng.randint(1, max(1, len(surname) - 4))
        queries["name fragment"].append(surname[start : start + 4] if len(surname) > 4 else surname)
        national = phone[2:]
        queries["phone fragment"].append(f"({national[:3]}) {national[3:6]}-{national[6:8]}")
        queries["email"].append(email)
    return queries


@core.measurement("search", order=30)
def search_page(ctx):
    from crmkit import search

    target = f"p95 < {SEARCH_TARGET_MS:g} ms"
    with ctx.app.app_context():
        admin = db.session().get(User, ctx.data.admin_id)
    for kind, queries in search_queries(ctx).items():
        page = core.latency(ctx.server_times([f"/search?{urlencode({'q': q})}" for q in queries]))
        with ctx.app.test_request_context():
            alone = core.latency(core.sample(lambda q: search.search(admin, q, db=db.session()), queries, ctx.settings.rounds))
        row = ctx.row("search", f"search page, {kind}", page, baseline_label="crmkit.search.search() alone",
                      baseline=alone, target=target)
        yield judged(row, "p95_ms", SEARCH_TARGET_MS)


# caller lookup
def has_rule(ctx, prefix: str) -> bool:
    return any(rule.rule.startswith(prefix) for rule in ctx.app.url_map.iter_rules())


def api_token(ctx) -> str:
    if "token" not in ctx.extra:
        with ctx.app.app_context():
            session = db.session()
            ctx.extra["token"] = create_token(session, session.get(User, ctx.data.admin_id), "benchmarks")[1]
    return ctx.extra["token"]


@core.measurement("lookup", order=40)
def caller_lookup(ctx):
    target = f"p50 < {LIST_TARGET_MS:g} ms; 1M within 1.5x of 10k"
    if not has_rule(ctx, "/api/v1/lookup"):
        yield core.unavailable("lookup", "caller lookup by phone", ctx, "GET /api/v1/lookup is not in this build", target)
        return
    numbers = [phone_of(i - 1) for i in ctx.data.sample_person_ids[: ctx.settings.samples]]
    typed = [f"8 ({n[2:5]}) {n[5:8]}-{n[8:10]}-{n[10:]}" for n in numbers]
    sql = [[("SELECT entity, record_id FROM contacts_channel WHERE kind = 'phone' AND value = :v", {"v": n})] for n in numbers]
    headers = {"Authorization": f"Bearer {api_token(ctx)}"}
    row = with_baseline(ctx, "lookup", "caller lookup, phone typed 8 (7xx) xxx-xx-xx", [f"/api/v1/lookup?{urlencode({'phone': t})}" for t in typed],
                        sql, "raw SQL: the phone index alone", headers=headers, target=target)
    yield judged(row, "p50_ms", LIST_TARGET_MS)


# the timeline
def timeline_url(ctx, entity_key: str, record_id: int) -> str | None:
    """The timeline page of a record, from whichever endpoint the timeline plugin offers."""
    names = {"entity_key": entity_key, "entity": entity_key, "key": entity_key, "entity_path": entity_key.replace(".", "/"),
             "record_id": record_id, "id": record_id}
    for rule in ctx.app.url_map.iter_rules():
        arguments = set(rule.arguments)
        if rule.endpoint.startswith("timeline.") and "GET" in rule.methods and arguments <= set(names) and {"record_id", "id"} & arguments:
            with ctx.app.test_request_context():
                return url_for(rule.endpoint, **{a: names[a] for a in rule.arguments})
    return None


def timeline_page_size() -> int:
    try:
        from crmkit.core.timeline.sources import PAGE_SIZE as size
    except ImportError:
        return PAGE_SIZE
    return size


@core.measurement("timeline", order=50)
def busy_timeline(ctx):
    target = f"<= {TIMELINE_RATIO:g}x raw SQL"
    person = ctx.data.busy_person_id
    url = timeline_url(ctx, "person", person)
    if url is None:
        yield core.unavailable("timeline", "timeline of a contact with 500 activities", ctx, "no timeline page in this build", target)
        return
    fetch = timeline_page_size() + 1  # the page asks each source for one more than it shows
    about = "SELECT * FROM activity WHERE about_entity = 'person' AND about_id = :p AND archived_at IS NULL"
    sql = [[(f"{about} AND happened_at IS NOT NULL ORDER BY happened_at DESC, id DESC LIMIT {fetch}", {"p": person}),
            (f"{about} AND happened_at IS NULL ORDER BY created_at DESC, id DESC LIMIT {fetch}", {"p": person}),
            (f"SELECT * FROM core_change WHERE entity = 'person' AND record_id = :p ORDER BY id DESC LIMIT {fetch}", {"p": person})]]
    row = with_baseline(ctx, "timeline", "timeline of a contact with 500 activities", [url], sql,
                        "raw SQL: its activities and history", target=target)
    row.met = row.figures["x_baseline_p50"] <= TIMELINE_RATIO
    yield row


core.page("people list", lambda ctx: "/person/?sort=name")
core.page("search", lambda ctx: "/search?" + urlencode({"q": "Иван"}))
core.page("person page", lambda ctx: f"/person/{ctx.data.sample_person_ids[len(ctx.data.sample_person_ids) // 2]}")
core.page("timeline", lambda ctx: timeline_url(ctx, "person", ctx.data.busy_person_id))
core.page("home", lambda ctx: "/", http=False)
