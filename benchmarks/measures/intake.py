"""Lead intake: the lead list (first and a deep page, by status, by source, an agent's own) beside
the raw SQL of the same page, and a web form's endpoint taking a submission (a lead made and
committed per request) beside the raw SQL of the same reads and writes; over one lead per contact
(benchmarks/leads.py)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from urllib.parse import urlencode

from benchmarks import core, leads
from benchmarks.measures.pages import PAGE_SIZE, judged, with_baseline
from crmkit import db
from crmkit.entities.listing import encode_cursor

LIST_TARGET_MS = 60.0
FORM_TARGET_MS = 30.0
LIST_SQL = "SELECT * FROM leads_lead WHERE archived_at IS NULL {where} {after} ORDER BY id DESC LIMIT " + str(PAGE_SIZE + 1)
FORM_SQL = [
    ("SELECT * FROM intake_form WHERE token = :token", {}),
    ("SELECT id FROM leads_lead WHERE channel = 'form' AND external_id = :external", {}),
    ("SELECT leads_source_match.kind, leads_source_match.source_id, leads_source_match.value FROM leads_source_match "
     "JOIN leads_source ON leads_source.id = leads_source_match.source_id WHERE leads_source.active "
     "AND leads_source_match.value IN (:token, :utm)", {}),
    ("INSERT INTO leads_lead (version, created_at, updated_at, extra, name, phones, phone_key, request, channel, raw, "
     "external_id, received_at, status, last_action_at) VALUES (1, :now, :now, '{}', 'Бенчмарк', '+7 701 123 45 67', "
     "'+77011234567', 'Ищу 2-комнатную', 'form', '{}', NULL, :now, 'new', :now) RETURNING id", {}),
    ("INSERT INTO core_change (entity, record_id, action, changes, at) VALUES ('lead', 1, 'create', '{}', :now) RETURNING id", {}),
    ("INSERT INTO core_transition (entity, record_id, field, from_state, to_state, at) "
     "VALUES ('lead', 1, 'status', NULL, 'new', :now) RETURNING id", {}),
]


def deep_id(ctx, where: str = "") -> int:
    count = ctx.scalar(f"SELECT count(*) FROM leads_lead WHERE archived_at IS NULL {where}")
    return ctx.scalar(f"SELECT id FROM leads_lead WHERE archived_at IS NULL {where} ORDER BY id DESC LIMIT 1 OFFSET :k",
                      k=int(count * 0.9))


def list_cases(ctx):
    source = leads.lead_set(ctx.app, ctx.data).sources[0]
    owner = ctx.data.owner_ids[0]
    deep = deep_id(ctx)
    after = encode_cursor([deep, deep])
    return [
        ("lead list, first page (admin)", "/lead/", "", {}, None),
        ("lead list, deep page (90%)", f"/lead/?{urlencode({'after': after})}", "", {}, deep),
        ("lead list, new ones (status filter)", "/lead/?status=new", "AND status = :status", {"status": "new"}, None),
        ("lead list, one source's", f"/lead/?source_id={source}", "AND source_id = :source", {"source": source}, None),
        ("lead list, one owner's (owner filter)", f"/lead/?owner_id={owner}", "AND owner_id = :owner", {"owner": owner}, None),
    ]


def make_form(ctx) -> str:
    from crmkit.core.intake_form.models import IntakeForm

    with ctx.app.app_context():
        form = IntakeForm(name="Benchmark", language="ru", fields=["name", "phone", "email", "request"], required=["phone"])
        db.session().add(form)
        db.session().commit()
        return form.token


@core.measurement("intake", order=67)
def intake(ctx):
    leads.grow(ctx.app, ctx.data, ctx.size)
    label = "raw SQL of the same page"
    target = f"p50 < {LIST_TARGET_MS:g} ms; 1M within 1.5x of 10k"
    for case, url, where, params, deep in list_cases(ctx):
        after = "AND id < :deep" if deep else ""
        sql = [[(LIST_SQL.format(where=where, after=after), {**params, "deep": deep})]]
        yield judged(with_baseline(ctx, "intake", case, [url], sql, label, target=target), "p50_ms", LIST_TARGET_MS)
    yield form_post(ctx)


def form_post(ctx) -> core.Row:
    """A visitor's JSON submission to a web form, through the app (a lead made and committed each
    time), beside the raw SQL of the same reads and three INSERTs."""
    ctx.app.config["INTAKE_FORM_RATE_LIMIT"] = "1000000 per minute"  # one client posts them all
    token = make_form(ctx)
    client = ctx.app.test_client()
    bodies = [json.dumps({"name": "Бенчмарк", "phone": "+7 701 123 45 67", "request": "Ищу 2-комнатную",
                          "landing_page": "https://agency.kz/?utm_source=krisha", "submission_id": uuid.uuid4().hex})
              for _ in range(ctx.settings.samples * ctx.settings.rounds + 1)]
    remaining = iter(bodies)

    def post(_sample) -> None:
        response = client.post(f"/intake/forms/{token}", data=next(remaining), content_type="application/json")
        if response.status_code != 201:
            raise RuntimeError(f"the form answered {response.status_code}: {response.get_data(as_text=True)[:200]}")

    figures = core.latency(core.sample(post, list(range(ctx.settings.samples)), ctx.settings.rounds, warmup=0))
    now = datetime.now(UTC).replace(tzinfo=None) if ctx.engine == "sqlite" else datetime.now(UTC)
    pages = [[(sql, {"token": token, "utm": "krisha", "external": f"{token}:{uuid.uuid4().hex}", "now": now})
              for sql, _params in FORM_SQL] for _ in range(ctx.settings.samples)]
    raw = core.latency(ctx.sql_times(pages))
    figures["x_baseline_p50"] = round(figures["p50_ms"] / max(raw["p50_ms"], 1e-6), 1)
    row = ctx.row("intake", "web form endpoint, a JSON submission made a lead (POST /intake/forms/<token>)", figures,
                  baseline_label="raw SQL of the same reads and INSERTs", baseline=raw, target=f"p50 < {FORM_TARGET_MS:g} ms")
    return judged(row, "p50_ms", FORM_TARGET_MS)
