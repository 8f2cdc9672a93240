"""The leads reports count what an independent count of the generated leads counts: leads,
conversions, the median time to the first response and won revenue per channel and source, the
rejection reasons and the quality-control outcomes, as each role sees them; each figure drills
down to exactly its leads."""

from __future__ import annotations

import random
import statistics
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from crmkit import db
from crmkit.core.auth.models import User
from crmkit.core.lead_triage import reports
from crmkit.core.lead_triage.control import Control
from crmkit.core.lead_triage.convert import Converter, Plan
from crmkit.core.lead_triage.triage import Triage
from crmkit.core.leads.intake import Incoming, receive
from crmkit.core.leads.models import Lead, Source
from crmkit.entities.service import Records
from crmkit.reports.context import Context
from tests.leads.triaging import new_pipeline

START = datetime(2026, 5, 1, tzinfo=UTC)
PERIOD = {"period": "custom", "start": "2026-05-01", "end": "2026-05-31"}
CHANNELS = ("form", "webhook", "email", "manual")


@pytest.fixture
def app(make_app):
    return make_app(DEFAULT_LOCALE="en", DEFAULT_TIMEZONE="UTC", DEFAULT_CURRENCY="KZT")


@pytest.fixture
def world(app, make_user):
    """Sixty leads over May and early June from four channels and two sources (or none), some
    answered, some converted (their deals won or not, in tenge or dollars), some rejected, and
    rounds of quality control returned or confirmed."""
    rng = random.Random(16)
    stages = new_pipeline(app)
    admin = make_user("admin")
    agents = [make_user("agent", department="Sales"), make_user("agent", department="Sales")]
    facts = {"leads": [], "admin": admin.id, "agents": [a.id for a in agents]}
    with app.test_request_context():
        session = db.session()
        sources = []
        for key in ("krisha", "olx"):
            source = Source(key=key, names={"en": key})
            session.add(source)
            session.flush()
            sources.append(source.id)
        session.commit()
        admin_user = session.get(User, admin.id)
        for n in range(60):
            received = START + timedelta(days=rng.randrange(0, 38), hours=rng.randrange(0, 24))
            lead, _ = receive(Incoming(channel=rng.choice(CHANNELS), name=f"Lead {n}", received_at=received,
                                       phones=[f"+7 701 {n:03d} 00 00"]))
            lead.source_id = rng.choice([*sources, None])
            owner = rng.choice([None, *facts["agents"]])
            lead.owner_id = owner
            fact = {"id": lead.id, "channel": lead.channel, "source": lead.source_id, "received": received,
                    "owner": owner, "converted": False, "won": None, "response": None, "rejected": None, "review": None}
            if rng.random() < 0.6:
                lead.first_response_at = received + timedelta(minutes=rng.randrange(1, 600))
                fact["response"] = round((lead.first_response_at - received).total_seconds())
            session.commit()
            facts["leads"].append(fact)
            roll = rng.random()
            if roll < 0.4:
                currency = "USD" if rng.random() < 0.2 else "KZT"
                amount = Decimal(rng.randrange(100, 900) * 1000)
                deal = Converter(admin_user).convert(session.get(Lead, lead.id), Plan(person="none", organization="none",
                                                                                         title=f"Deal {n}", amount=str(amount)), None)
                fact["converted"] = True
                deals = Records(app.extensions["crmkit"].entities.get("deal"), admin_user, session)
                deal = deals.get(deal.id)
                deals.update(deal, {"currency": currency}, None)
                if rng.random() < 0.6:
                    deals.update(deal, {"stage_id": stages["Won"]}, None)
                    fact["won"] = (currency, amount)
            elif roll < 0.7:
                reason = rng.choice(["spam", "duplicate", "not_target", "no_answer", "other"])
                Triage(admin_user).reject(session.get(Lead, lead.id), reason, None, None)
                fact["rejected"] = reason
                if reason not in ("spam", "duplicate"):
                    fact["review"] = "waiting"
                    decided = rng.random()
                    if decided < 0.3:
                        Control(admin_user).confirm(session.get(Lead, lead.id), "ok", None, None)
                        fact["review"] = "confirmed"
                    elif decided < 0.6:
                        Control(admin_user).return_to_work(session.get(Lead, lead.id), "again", "assigned",
                                                           owner or facts["agents"][0], None)
                        fact["review"] = "returned"
                        fact["rejected"] = None
        # conversion and return assign owners; the first move by a person is a first response
        stored = {row.id: row for row in session.execute(select(Lead.id, Lead.owner_id, Lead.first_response_at))}
        for fact in facts["leads"]:
            fact["owner"] = stored[fact["id"]].owner_id
            answered = stored[fact["id"]].first_response_at
            fact["response"] = None if answered is None else round((answered - fact["received"]).total_seconds())
    return facts


def run(app, user_id, report_name, **args):
    with app.test_request_context():
        session = db.session()
        user = session.get(User, user_id)
        report = next(r for r in reports.declared_reports() if r.name == report_name)
        ctx = Context.build(report, user, {**PERIOD, **args}, session)
        return report.script(ctx), ctx, report


def in_period(fact) -> bool:
    return START <= fact["received"] < datetime(2026, 6, 1, tzinfo=UTC)


def mine(world, who):
    return lambda fact: who is None or fact["owner"] == who


@pytest.mark.parametrize("who", ["admin", "agent"])
def test_leads_by_channel_equal_an_independent_count(app, world, who):
    user_id = world["admin"] if who == "admin" else world["agents"][0]
    sees = mine(world, None if who == "admin" else user_id)
    result, _ctx, _report = run(app, user_id, "leads")
    expected: dict = defaultdict(lambda: {"leads": 0, "converted": 0, "responses": [], "won": 0, "revenue": Decimal(0)})
    for fact in world["leads"]:
        if not in_period(fact) or not sees(fact):
            continue
        row = expected[fact["channel"]]
        row["leads"] += 1
        row["converted"] += fact["converted"]
        if fact["response"] is not None:
            row["responses"].append(fact["response"])
        if fact["won"] and fact["won"][0] == "KZT":
            row["won"] += 1
            row["revenue"] += fact["won"][1]
    from crmkit.core.leads.channels import channel_label

    with app.test_request_context():
        shown = {r.values["group"]: r.values for r in result.rows}
        assert set(shown) == {channel_label(c) for c in expected}
        for channel, row in expected.items():
            got = shown[channel_label(channel)]
            assert (got["leads"], got["converted"], got["won"]) == (row["leads"], row["converted"], row["won"])
            assert (got["revenue"] or Decimal(0)) == row["revenue"]
            median = round(statistics.median(row["responses"])) if row["responses"] else None
            assert got["response"] == median
    assert result.totals.values["leads"] == sum(row["leads"] for row in expected.values())


def test_leads_by_source_and_drill_down_to_exactly_their_leads(app, world):
    result, ctx, report = run(app, world["admin"], "leads", by="source")
    counted = Counter(f["source"] for f in world["leads"] if in_period(f))
    with app.test_request_context():
        figures = sorted(r.values["leads"] for r in result.rows)
        assert figures == sorted(counted.values())
        for row in result.rows:
            args = dict(pair.split("=", 1) for pair in row.drill["converted"]["in_report"].split("?", 1)[1].split("&"))
            figure = {k.removeprefix("figure."): v for k, v in args.items() if k.startswith("figure.")}
            ctx2 = Context.build(report, db.session().get(User, world["admin"]), PERIOD, db.session())
            ids = set(db.session().execute(report.members(ctx2, figure)).scalars())
            source = None if figure["source"] == "none" else int(figure["source"])
            assert ids == {f["id"] for f in world["leads"] if in_period(f) and f["source"] == source and f["converted"]}


def test_the_raw_sql_counts_what_the_report_counts(app, world):
    result, ctx, report = run(app, world["admin"], "leads")
    with app.test_request_context():
        session = db.session()
        (counts_sql, params), (revenue_sql, _p) = report.raw_sql(ctx)
        from sqlalchemy import text

        counts = {row[0]: (row[1], row[2]) for row in session.execute(text(counts_sql), params)}
        revenue = {row[0]: (row[1], Decimal(str(row[2]))) for row in session.execute(text(revenue_sql), params)}
    expected_leads = Counter(f["channel"] for f in world["leads"] if in_period(f))
    assert {channel: n for channel, (n, _c) in counts.items()} == dict(expected_leads)
    assert sum(n for n, _a in revenue.values()) == sum(1 for f in world["leads"] if in_period(f) and f["won"] and f["won"][0] == "KZT")
    assert result.totals.values["won"] == sum(n for n, _a in revenue.values())


def test_rejection_reasons_equal_an_independent_count(app, world):
    result, _ctx, _report = run(app, world["admin"], "lead_rejections")
    expected = Counter(f["rejected"] for f in world["leads"] if in_period(f) and f["rejected"])
    from crmkit.core.leads.models import REJECTION_REASONS

    with app.test_request_context():
        assert {r.values["reason"]: r.values["leads"] for r in result.rows} == {str(REJECTION_REASONS[k]): v for k, v in expected.items()}
        assert result.totals.values["leads"] == sum(expected.values())


def test_quality_control_outcomes_equal_an_independent_count(app, world):
    result, _ctx, _report = run(app, world["admin"], "lead_reprocessing", period="all")
    expected = Counter(f["review"] for f in world["leads"] if f["review"])
    with app.test_request_context():
        rejected = next(r for r in result.rows if r.values["reason"] == "Rejected").values
    assert (rejected["returned"], rejected["confirmed"], rejected["none"]) == (
        expected["returned"], expected["confirmed"], expected["waiting"])
    assert rejected["sent"] == sum(expected.values())


def test_the_report_pages_render_for_a_manager(app, world, make_user, client_for):
    client = client_for(make_user("manager", department="Sales", locale="en"))
    for key in ("leads", "lead_rejections", "lead_reprocessing"):
        page = client.get(f"/reports/{key}/?period=all")
        assert page.status_code == 200, key
    assert "Leads by channel and source" in client.get("/reports/leads/?period=all&by=channel_source").text
