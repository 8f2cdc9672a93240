"""Lost deals: per loss reason and per competitor, split per department or month, by count and
amount, equal to a count of the generated deals in Python, as each role sees them; every figure
drills down to exactly its deals."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from crmkit import db
from crmkit.core.auth.models import User
from crmkit.core.pipelines.reports import losses
from crmkit.reports.context import Context
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, add_user
from tests.deal_histories import START, World, build
from tests.people import client_as

PERIOD = {"period": "custom", "start": (START + timedelta(days=20)).date().isoformat(),
          "end": (START + timedelta(days=110)).date().isoformat()}
ZONE = ZoneInfo("Asia/Almaty")


@pytest.fixture
def app(make_app):
    return make_app(DEFAULT_LOCALE="en", DEFAULT_TIMEZONE="Asia/Almaty")


@pytest.fixture
def world(app) -> World:
    admin = add_user(app, ADMIN_EMAIL, ADMIN_PASSWORD, is_admin=True)
    return build(app, seed=11, count=120, admin_id=admin.id)


def run(app, world: World, who: str, **args):
    """The report's result and its context's period, as ``who`` asks for it."""
    with app.test_request_context():
        session = db.session()
        user = session.execute(select(User).where(User.id == world.users[who])).scalar_one()
        [report] = losses.reports()
        ctx = Context.build(report, user, {"pipeline": str(world.pipeline), **PERIOD, **args}, session)
        return report.script(ctx), ctx.start, ctx.end


def seen(world: World, who: str) -> set[int] | None:
    if who == "admin":
        return None
    if who == "boss":
        sales = {world.departments["Sales"], world.departments["Sales North"]}
        return {user for user, department in world.department_of.items() if department in sales}
    return {world.users[who]}


def lost(world: World, who: str, start, end):
    """The deals of Sales lost in [start, end): in a lost stage now, closed (last moved) then."""
    owners = seen(world, who)
    for deal in world.deals:
        if deal.archived or deal.pipeline != world.pipeline or world.kinds[deal.stage] != "lost":
            continue
        if (owners is None or deal.owner in owners) and start <= deal.moves[-1].at < end:
            yield deal


def expected_groups(world: World, deals, by: str, per: str | None = None) -> dict:
    """``{(group, split): (deals, KZT amount)}`` where group is the reason or competitor id."""
    counts: Counter = Counter()
    amounts: dict = defaultdict(lambda: None)
    for deal in deals:
        groups = [deal.loss_reason] if by == "reason" else (deal.competitors or [None])
        split = None
        if per == "department":
            split = world.department_of.get(deal.owner)
        elif per == "month":
            split = deal.moves[-1].at.astimezone(ZONE).strftime("%B %Y")
        for group in groups:
            counts[(group, split)] += 1
            if deal.currency == "KZT" and deal.amount is not None:
                amounts[(group, split)] = (amounts[(group, split)] or Decimal(0)) + deal.amount
    return {key: (count, amounts[key]) for key, count in counts.items()}


def names(app, world: World, by: str) -> dict:
    """Shown name -> id of the reasons or competitors (None for the row of none)."""
    if by == "reason":
        return {"Price": world.reasons[0], "Timing": world.reasons[1], "Features": world.reasons[2], "No reason": None}
    return {"Rival A": world.competitors[0], "Rival B": world.competitors[1], "No competitor named": None}


def department_names(world: World) -> dict:
    return {**{name: found for name, found in world.departments.items()}, "No department": None}


def got(app, world: World, result, by: str, per: str | None = None) -> dict:
    groups = names(app, world, by)
    splits = department_names(world) if per == "department" else None
    found = {}
    for row in result.rows:
        split = None if per is None else (splits[row.values["split"]] if splits else row.values["split"])
        found[(groups[row.values["group"]], split)] = (row.values["deals"], row.values["amount"])
    return found


@pytest.mark.parametrize("who", ["admin", "boss", "north"])
@pytest.mark.parametrize("by", ["reason", "competitor"])
def test_lost_deals_per_reason_and_competitor_equal_a_count_of_the_deals(app, world, who, by):
    result, start, end = run(app, world, who, by=by)
    expected = expected_groups(world, lost(world, who, start, end), by)
    assert got(app, world, result, by) == expected
    assert result.totals.values["deals"] == len(list(lost(world, who, start, end)))


@pytest.mark.parametrize("per", ["department", "month"])
def test_losses_split_per_department_or_month_equal_a_count_of_the_deals(app, world, per):
    result, start, end = run(app, world, "admin", by="reason", per=per)
    expected = expected_groups(world, lost(world, "admin", start, end), "reason", per)
    assert got(app, world, result, "reason", per) == expected


def test_a_managers_losses_leave_out_other_departments(app, world):
    boss, start, end = run(app, world, "boss")
    admin, _, _ = run(app, world, "admin")
    outside = [d for d in lost(world, "admin", start, end) if d.owner not in seen(world, "boss")]
    assert outside and boss.totals.values["deals"] == admin.totals.values["deals"] - len(outside)


def listed(app, args: dict[str, str]) -> set[int]:
    client = client_as(app, ADMIN_EMAIL, ADMIN_PASSWORD)
    response = client.get("/deal/", query_string={**args, "limit": "200"})
    assert response.status_code == 200
    return {int(found) for found in re.findall(r'href="/deal/(\d+)"', response.get_data(as_text=True))}


@pytest.mark.parametrize("by", ["reason", "competitor"])
def test_every_loss_figure_drills_down_to_exactly_its_deals(app, world, by):
    result, start, end = run(app, world, "admin", by=by, per="department")
    deals = list(lost(world, "admin", start, end))
    groups, splits = names(app, world, by), department_names(world)
    for row in result.rows:
        group, split = groups[row.values["group"]], splits[row.values["split"]]
        behind = {d.id for d in deals if world.department_of.get(d.owner) == split
                  and (group == d.loss_reason if by == "reason" else group in (d.competitors or [None]))}
        assert listed(app, row.drill["deals"]) == behind
        if "amount" in row.drill:
            in_kzt = {d.id for d in deals if d.id in behind and d.currency == "KZT" and d.amount is not None}
            assert listed(app, row.drill["amount"]) == in_kzt
    assert listed(app, result.totals.drill["deals"]) == {d.id for d in deals}


def test_the_losses_page_shows_the_reasons_and_a_chart(app, world):
    client = client_as(app, ADMIN_EMAIL, ADMIN_PASSWORD)
    query = {"pipeline": world.pipeline, **PERIOD}
    html = client.get("/reports/losses/", query_string=query).get_data(as_text=True)
    assert "Price" in html and "in_report=losses" in html
    assert client.get("/reports/losses/chart.svg", query_string={**query, "by": "competitor"}).status_code == 200
