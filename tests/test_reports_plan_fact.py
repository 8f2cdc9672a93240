"""Plan and fact: targets entered on the admin grid, won deals and the weighted open pipeline,
each figure equal to a sum made here from the deal rows themselves, on both engines; who may see
which rows; who may set targets."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from crmkit import db
from crmkit.core.access.models import Department
from crmkit.core.auth.models import User
from crmkit.core.pipelines.models import Deal, Stage
from crmkit.core.targets.models import SalesTarget
from crmkit.reports.context import Context
from crmkit.reports.registry import reports
from tests.conftest import csrf_token
from tests.people import client_as, matrix_staff, post
from tests.pipelining import acting_as, new_pipeline, user_by_email

NOW = datetime.now(UTC)
THIS_MONTH = NOW.date().replace(day=1)
CENT = Decimal("0.01")


@pytest.fixture
def sales(make_app):
    app = make_app()
    matrix_staff(app)
    with app.app_context():
        for user in db.session().execute(select(User)).scalars():
            user.name = user.email.split("@")[0]
        db.session().commit()
    return app


def ids(app) -> dict[str, int]:
    with app.app_context():
        return {u.email.split("@")[0]: u.id for u in db.session().execute(select(User)).scalars()}


def generate(app, count: int = 40, seed: int = 11) -> None:
    """Deals of four employees through Records: open ones expected to close this month or next,
    won ones closed this month or last (their closing moved in the table afterwards), some in USD."""
    stages = new_pipeline(app)
    rng = random.Random(seed)
    closings: dict[int, datetime] = {}
    for n in range(count):
        who = rng.choice(("admin", "boss", "north", "support"))
        with acting_as(app, f"{who}@example.com") as records:
            values = {"title": f"Deal {n}", "pipeline_id": stages["pipeline"], "stage_id": stages[rng.choice(("Qualification", "Proposal", "Negotiation"))],
                      "amount": str(Decimal(rng.randrange(10_000, 5_000_000)) / 100), "currency": "USD" if n % 9 == 0 else "KZT",
                      "expected_close_on": (THIS_MONTH + timedelta(days=rng.randint(-10, 45))).isoformat()}
            if n % 4 == 0:
                values["probability"] = rng.randint(5, 95)
            deal = records.create(values)
            if rng.random() < 0.45:
                records.update(deal, {"stage_id": stages["Won"]}, deal.version)
                closings[deal.id] = NOW - timedelta(days=rng.choice((0, 0, 1, 40)), hours=rng.randint(0, 5))
    with app.app_context():
        session = db.session()
        for deal_id, closed in closings.items():
            session.execute(update(Deal).where(Deal.id == deal_id).values(closed_at=min(closed, NOW)))
        session.commit()


def set_targets(app, cells: dict[str, str]) -> None:
    admin = client_as(app, "admin@example.com")
    year = NOW.year
    rows = sorted({name.split("-")[0] for name in cells})
    response = post(admin, "/admin/targets/", {"year": str(year), "rows": ",".join(rows), **cells}, "/admin/targets/")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def run(app, email: str, **args):
    with app.test_request_context():
        session = db.session()
        report = reports().get("plan_fact")
        ctx = Context.build(report, user_by_email(session, email), args, session)
        return report.script(ctx), ctx


def expected(app, ctx, owners) -> dict[int, dict[str, Decimal]]:
    """Target, won and weighted per owner, summed here from the rows."""
    with app.app_context():
        session = db.session()
        kinds = {s.id: (s.kind, s.probability) for s in session.execute(select(Stage)).scalars()}
        deals = list(session.execute(select(Deal)).scalars())
        targets = list(session.execute(select(SalesTarget)).scalars())
    first, after = ctx.start.astimezone(ctx.tz).date(), ctx.end.astimezone(ctx.tz).date()
    found: dict[int, dict[str, Decimal]] = defaultdict(lambda: {"target": None, "won": Decimal(0), "weighted": Decimal(0)})
    for deal in deals:
        if deal.owner_id not in owners or deal.currency != "KZT" or deal.archived_at is not None:
            continue
        kind, stage_probability = kinds[deal.stage_id]
        closed = deal.closed_at.replace(tzinfo=UTC) if deal.closed_at and deal.closed_at.tzinfo is None else deal.closed_at
        if kind == "won" and ctx.start <= closed < ctx.end:
            found[deal.owner_id]["won"] += deal.won_amount
        if kind == "open" and first <= deal.expected_close_on < after:
            probability = deal.probability if deal.probability is not None else stage_probability
            found[deal.owner_id]["weighted"] += deal.amount * probability / 100
    for target in targets:
        if target.user_id in owners and first <= target.month < after:
            found[target.user_id]["target"] = (found[target.user_id]["target"] or Decimal(0)) + target.amount
    return {owner: {k: v.quantize(CENT) if v is not None else None for k, v in figures.items()} for owner, figures in found.items()}


def by_name(result) -> dict[str, dict[str, Decimal]]:
    return {row.values["name"]: {k: row.values[k] for k in ("target", "won", "weighted")} for row in result.rows}


def named(app, figures) -> dict[str, dict[str, Decimal]]:
    names = {v: k for k, v in ids(app).items()}
    return {names[owner]: f for owner, f in figures.items()}


def with_zeros(found: dict, names) -> dict:
    empty = {"target": None, "won": Decimal("0.00"), "weighted": Decimal("0.00")}
    return {name: found.get(name, empty) for name in names}


@pytest.mark.parametrize("period", [{"period": "this_month"}, {"period": "last_month"}, {"period": "this_year"}])
def test_targets_won_and_weighted_pipeline_per_employee_equal_sums_of_the_rows(sales, period):
    generate(sales)
    people = ids(sales)
    set_targets(sales, {f"u{people['boss']}-{THIS_MONTH.month}": "1 500 000,50", f"u{people['north']}-{THIS_MONTH.month}": "800000",
                        f"u{people['north']}-1": "100"})
    result, ctx = run(sales, "admin@example.com", **period)
    want = named(sales, expected(sales, ctx, set(people.values())))
    assert by_name(result) == with_zeros(want, by_name(result))
    assert set(want) <= set(by_name(result))
    assert any(f["won"] for f in want.values()) or period["period"] != "this_month"


def test_forecast_is_won_plus_weighted_and_shares_are_of_the_target(sales):
    generate(sales)
    people = ids(sales)
    set_targets(sales, {f"u{people['north']}-{THIS_MONTH.month}": "1000000"})
    result, _ctx = run(sales, "admin@example.com", period="this_month")
    north = next(r.values for r in result.rows if r.values["name"] == "north")
    assert north["forecast"] == north["won"] + north["weighted"]
    assert north["done"] == (north["won"] * 100 / Decimal(1_000_000)).quantize(Decimal("0.1"))
    assert result.totals.values["won"] == sum(r.values["won"] for r in result.rows)


def test_a_manager_sees_their_department_and_an_agent_only_themselves(sales):
    generate(sales)
    people = ids(sales)
    boss, ctx = run(sales, "boss@example.com", period="this_month")
    assert set(by_name(boss)) == {"boss", "north"}
    assert by_name(boss) == with_zeros(named(sales, expected(sales, ctx, {people["boss"], people["north"]})), {"boss", "north"})
    north, _ctx = run(sales, "north@example.com", period="this_month")
    assert set(by_name(north)) == {"north"}


def test_department_rows_sum_their_members_and_sub_departments_for_who_sees_them_whole(sales):
    generate(sales)
    people = ids(sales)
    with sales.app_context():
        department = db.session().execute(select(Department.id).where(Department.name == "Sales")).scalar_one()
    set_targets(sales, {f"d{department}-{THIS_MONTH.month}": "5000000"})
    admin, ctx = run(sales, "admin@example.com", period="this_month", level="department")
    figures = expected(sales, ctx, set(people.values()))
    sales_row = next(r.values for r in admin.rows if r.values["name"] == "Sales")
    assert sales_row["target"] == Decimal("5000000.00")
    assert sales_row["won"] == sum((figures.get(people[w], {}).get("won", 0) for w in ("boss", "north")), Decimal("0.00"))
    assert {r.values["name"] for r in admin.rows} == {"Sales", "Sales North", "Support"}
    boss, _ctx = run(sales, "boss@example.com", period="this_month", level="department")
    assert {r.values["name"] for r in boss.rows} == {"Sales", "Sales North"}
    north, _ctx = run(sales, "north@example.com", period="this_month", level="department")
    assert {r.values["name"] for r in north.rows} == {"Sales North"}  # its only member is north


# the admin grid
def test_only_those_allowed_to_set_targets_open_or_post_the_grid(sales):
    for who in ("boss", "north"):
        client = client_as(sales, f"{who}@example.com")
        assert client.get("/admin/targets/").status_code == 403
        token = csrf_token(client, "/")
        assert client.post("/admin/targets/", data={"csrf_token": token, "year": "2026", "rows": "u1", "u1-1": "5"}).status_code == 403
    with sales.app_context():
        assert db.session().execute(select(SalesTarget)).first() is None


def test_grid_saves_amounts_with_a_comma_or_spaces_and_an_emptied_cell_removes_the_target(sales):
    people = ids(sales)
    set_targets(sales, {f"u{people['north']}-3": "1 200,5", f"u{people['boss']}-3": "7"})
    with sales.app_context():
        stored = {(t.user_id, t.month): t.amount for t in db.session().execute(select(SalesTarget)).scalars()}
    assert stored == {(people["north"], date(NOW.year, 3, 1)): Decimal("1200.50"), (people["boss"], date(NOW.year, 3, 1)): Decimal("7.00")}
    set_targets(sales, {f"u{people['north']}-3": "", f"u{people['boss']}-3": "7"})
    with sales.app_context():
        assert [t.user_id for t in db.session().execute(select(SalesTarget)).scalars()] == [people["boss"]]


def test_a_bad_cell_saves_nothing_and_comes_back_with_what_was_typed(sales):
    people = ids(sales)
    admin = client_as(sales, "admin@example.com")
    cells = {f"u{people['north']}-2": "100", f"u{people['boss']}-2": "12.345", f"u{people['admin']}-2": "-5"}
    response = post(admin, "/admin/targets/", {"year": str(NOW.year), "rows": ",".join(k.split("-")[0] for k in cells), **cells},
                    "/admin/targets/")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="12.345"' in html and 'aria-invalid="true"' in html
    with sales.app_context():
        assert db.session().execute(select(SalesTarget)).first() is None


def test_grid_refuses_a_post_without_its_csrf_token(sales):
    admin = client_as(sales, "admin@example.com")
    response = admin.post("/admin/targets/", data={"year": "2026", "rows": "u1", "u1-1": "5"})
    assert response.status_code == 400


def test_grid_shows_departments_and_employees_with_their_stored_targets(sales):
    people = ids(sales)
    set_targets(sales, {f"u{people['north']}-5": "250000"})
    html = client_as(sales, "admin@example.com").get("/admin/targets/").get_data(as_text=True)
    assert "Sales North" in html and "Support" in html
    assert f'name="u{people["north"]}-5"' in html and 'value="250000.00"' in html


def test_won_weighted_and_forecast_drill_down_to_exactly_their_deals(sales):
    from tests.test_reports_activity import listed_as

    generate(sales)
    for email, level in (("admin@example.com", "employee"), ("boss@example.com", "employee"), ("admin@example.com", "department")):
        result, _ctx = run(sales, email, period="this_month", level=level)
        with sales.app_context():
            deals = {d.id: d for d in db.session().execute(select(Deal)).scalars()}
            stages = {s.id: s for s in db.session().execute(select(Stage)).scalars()}
        for row in [*result.rows, *([result.totals] if result.totals else [])]:
            won = listed_as(sales, email, "deal", row.drill["won"]) if "won" in row.drill else []
            still_open = listed_as(sales, email, "deal", row.drill["weighted"]) if "weighted" in row.drill else []
            assert sum((deals[i].won_amount for i in won), Decimal("0.00")) == row.values["won"]
            weighted = sum((deals[i].amount * (deals[i].probability if deals[i].probability is not None
                                                else stages[deals[i].stage_id].probability) / 100 for i in still_open), Decimal(0))
            assert weighted.quantize(CENT) == row.values["weighted"]
            forecast = listed_as(sales, email, "deal", row.drill["forecast"]) if "forecast" in row.drill else []
            assert sorted(forecast) == sorted(won + still_open)
