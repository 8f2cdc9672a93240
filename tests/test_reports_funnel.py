"""The sales funnel: every figure equals a replay of the generated histories in Python (entries,
conversion, time in stage with its median, win rate, won amounts, cycle), whole and side by side,
as each role sees it, and as of a date; each figure's drill-down lists exactly its deals."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import DateTime, select, text

from crmkit import db
from crmkit.core.auth.models import User
from crmkit.core.pipelines.reports import common
from crmkit.core.pipelines.reports import funnel as funnel_reports
from crmkit.core.pipelines.reports import funnel_data, raw
from crmkit.reports.context import Context
from tests import funnel_replay as replay
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, add_user
from tests.deal_histories import START, World, build
from tests.people import client_as

NOW = START + timedelta(days=150)
PERIOD = {"period": "custom", "start": (START + timedelta(days=30)).date().isoformat(),
          "end": (START + timedelta(days=74)).date().isoformat()}


@pytest.fixture
def app(make_app):
    return make_app(DEFAULT_LOCALE="en", DEFAULT_TIMEZONE="Asia/Almaty")


@pytest.fixture
def world(app) -> World:
    admin = add_user(app, ADMIN_EMAIL, ADMIN_PASSWORD, is_admin=True)
    return build(app, seed=5, count=90, admin_id=admin.id)


def report(name: str):
    return next(r for r in funnel_reports.reports() if r.name == name)


def context(app, world: World, who: str, name: str = "funnel", **args) -> Context:
    session = db.session()
    user = session.execute(select(User).where(User.id == world.users[who])).scalar_one()
    return Context.build(report(name), user, {"pipeline": str(world.pipeline), **PERIOD, **args}, session, now=NOW)


def owners_seen(world: World, who: str) -> set[int] | None:
    """Whom ``who`` sees: admin all, the manager of Sales that department and Sales North, an agent their own."""
    if who == "admin":
        return None
    if who == "boss":
        sales = {world.departments["Sales"], world.departments["Sales North"]}
        return {user for user, department in world.department_of.items() if department in sales}
    return {world.users[who]}


def check(funnel: funnel_data.Funnel, expected: replay.Expected, world: World) -> None:
    for figures in funnel.stages:
        stage = figures.stage.id
        assert figures.entered == len(expected.entered.get(stage, ())), stage
        stays = expected.stays.get(stage, [])
        assert figures.avg_seconds == pytest.approx(replay.mean(stays)), stage
        assert figures.median_seconds == pytest.approx(replay.median(stays)), stage
    assert funnel.won == len(expected.won_at)
    assert funnel.lost == len(expected.lost)
    assert funnel.won_average == pytest.approx(replay.average_money(expected.won_amounts), abs=Decimal("0.01"))
    total = sum(expected.won_amounts) if expected.won_amounts else None
    assert funnel.won_total == pytest.approx(total, abs=Decimal("0.01"))
    assert funnel.cycle_seconds == pytest.approx(replay.mean(expected.cycles))


def computed(app, world: World, who: str, dimension: str | None = None):
    with app.test_request_context():
        ctx = context(app, world, who)
        stages = funnel_data.stage_refs(ctx.db, world.pipeline)
        found = funnel_data.period_funnels(ctx.db, common.stays(ctx), stages, ctx.start, ctx.end, NOW, "KZT", dimension)
        deals = list(replay.in_scope(world, owners_seen(world, who), pipeline=world.pipeline))
        return found, replay.funnels(world, deals, ctx.start, ctx.end, NOW, "KZT", dimension)


@pytest.mark.parametrize("who", ["admin", "boss", "north"])
def test_the_funnel_of_a_period_equals_the_replayed_histories_as_each_role_sees_them(app, world, who):
    found, expected = computed(app, world, who)
    assert [f.key for f in found] == list(expected)
    if found:
        check(found[0], expected[0], world)


@pytest.mark.parametrize("dimension", ["owner", "department", "office"])
def test_the_funnel_side_by_side_equals_the_replay_per_employee_department_and_office(app, world, dimension):
    found, expected = computed(app, world, "admin", dimension)
    assert {f.key for f in found} == set(expected)
    for funnel in found:
        check(funnel, expected[funnel.key], world)


def test_the_managers_funnel_counts_only_their_departments_deals(app, world):
    boss, _ = computed(app, world, "boss")
    admin, _ = computed(app, world, "admin")
    first = world.open_stages[0]
    assert 0 < boss[0].stage(first).entered < admin[0].stage(first).entered


def test_conversion_is_the_next_stages_entries_over_this_ones_and_won_after_the_last(app, world):
    [funnel], _ = computed(app, world, "admin")
    qualification, proposal, negotiation = (funnel.stage(s) for s in world.open_stages)
    assert qualification.conversion == pytest.approx(proposal.entered / qualification.entered)
    assert proposal.conversion == pytest.approx(negotiation.entered / proposal.entered)
    assert negotiation.conversion == pytest.approx(funnel.won / negotiation.entered)
    assert funnel.win_rate == pytest.approx(funnel.won / (funnel.won + funnel.lost))


@pytest.mark.parametrize("days_in", [20, 60, 100, 149])
def test_open_deals_as_of_a_date_equal_replaying_the_history_to_that_date(app, world, days_in):
    moment_day = START + timedelta(days=days_in)
    with app.test_request_context():
        ctx = context(app, world, "admin", "funnel_as_of")
        stages = [s for s in funnel_data.stage_refs(ctx.db, world.pipeline) if s.kind == "open"]
        found = funnel_data.snapshots(ctx.db, common.stays(ctx), stages, moment_day, "KZT")
    deals = list(replay.in_scope(world, None, pipeline=world.pipeline))
    expected = replay.snapshot(world, deals, moment_day, "KZT")
    got = {s.key: {stage: (s.deals[stage], s.amounts.get(stage)) for stage in s.deals} for s in found}
    assert got.keys() == expected.keys()
    for key, stages_found in got.items():
        assert stages_found.keys() == expected[key].keys()
        for stage, (count, amount) in stages_found.items():
            assert count == expected[key][stage][0]
            assert amount == pytest.approx(expected[key][stage][1], abs=Decimal("0.01"))


def test_a_period_with_no_moves_has_an_empty_funnel(app, world):
    with app.test_request_context():
        ctx = context(app, world, "admin", start=date(2020, 1, 1).isoformat(), end=date(2020, 1, 31).isoformat())
        result = funnel_reports.funnel_script(ctx)
    assert [r.values["entered"] for r in result.rows] == [0] * len(result.rows)
    assert all(r.values["conversion"] is None for r in result.rows)


# drill-down: every figure lists exactly its deals
def listed(app, who: str, args: dict[str, str]) -> set[int]:
    """The ids the deal list shows ``who`` for a figure's drill-down arguments (one page of 200)."""
    client = client_as(app, f"{who}@example.com") if who != "admin" else client_as(app, ADMIN_EMAIL, ADMIN_PASSWORD)
    response = client.get("/deal/", query_string={**args, "limit": "200"})
    assert response.status_code == 200, response.get_data(as_text=True)[-500:]
    return {int(found) for found in re.findall(r'href="/deal/(\d+)"', response.get_data(as_text=True))}


def script_result(app, world: World, who: str, name: str, **args):
    with app.test_request_context():
        ctx = context(app, world, who, name, **args)
        return report(name).script(ctx)


@pytest.mark.parametrize("who", ["admin", "boss"])
def test_each_stage_figure_drills_down_to_exactly_the_deals_that_entered_it(app, world, who):
    result = script_result(app, world, who, "funnel")
    with app.test_request_context():
        ctx = context(app, world, who)
        start, end = ctx.start, ctx.end
    deals = list(replay.in_scope(world, owners_seen(world, who), pipeline=world.pipeline))
    expected = replay.funnels(world, deals, start, end, NOW, "KZT")[0]
    by_name = {world_stage_name(world, stage): stage for stage in world.stages.values()}
    checked = 0
    for row in result.rows:
        stage = by_name[row.values["stage"]]
        if row.values["entered"]:
            assert listed(app, who, row.drill["entered"]) == expected.entered[stage]
            checked += 1
        if row.values["won_average"] is not None:
            won = {d for d in expected.won_at if replay.deals_by_id(world)[d].currency == "KZT"
                   and replay.deals_by_id(world)[d].won_amount is not None}
            assert listed(app, who, row.drill["won_average"]) == won
            assert listed(app, who, row.drill["cycle_days"]) == set(expected.won_at)
    assert checked >= 3


def world_stage_name(world: World, stage_id: int) -> str:
    return next(name for name, found in world.stages.items() if found == stage_id)


def test_a_groups_figures_drill_down_to_that_departments_deals(app, world):
    result = script_result(app, world, "admin", "funnel_by", by="department")
    with app.test_request_context():
        ctx = context(app, world, "admin", "funnel_by")
        start, end = ctx.start, ctx.end
    deals = list(replay.in_scope(world, None, pipeline=world.pipeline))
    expected = replay.funnels(world, deals, start, end, NOW, "KZT", "department")
    names = {"Sales": world.departments["Sales"], "Sales North": world.departments["Sales North"],
             "Retail": world.departments["Retail"], "No department": None}
    first = f"stage_{world.open_stages[0]}"
    for row in result.rows:
        key = names[row.values["key"]]
        assert row.values[first] == len(expected[key].entered[world.open_stages[0]])
        assert listed(app, "admin", row.drill[first]) == expected[key].entered[world.open_stages[0]]
    assert result.totals.values[first] == sum(r.values[first] for r in result.rows)


@pytest.mark.parametrize("by", ["employee", "department", "office"])
def test_the_side_by_sides_total_row_is_the_whole_funnel(app, world, by):
    result = script_result(app, world, "boss", "funnel_by", by=by)
    whole = script_result(app, world, "boss", "funnel")
    with app.test_request_context():
        ctx = context(app, world, "boss")
        stages = funnel_data.stage_refs(ctx.db, world.pipeline)
        funnel = funnel_data.period_funnels(ctx.db, common.stays(ctx), stages, ctx.start, ctx.end, NOW, "KZT")[0]
    totals = result.totals.values
    assert all(totals[f"stage_{s.id}"] == funnel.stage(s.id).entered for s in stages if f"stage_{s.id}" in totals)
    assert totals["won_total"] == funnel.won_total and totals["won_average"] == funnel.won_average
    assert totals["win_rate"] == common.percent(funnel.win_rate) and totals["cycle_days"] == common.days(funnel.cycle_seconds)
    assert funnel.won and whole.rows  # the period has won deals to add up


def test_an_agent_following_a_figure_sees_only_their_own_deals(app, world):
    result = script_result(app, world, "north", "funnel")
    first = result.rows[0]
    ids = listed(app, "north", first.drill["entered"])
    assert ids and all(replay.deals_by_id(world)[i].owner == world.users["north"] for i in ids)
    assert len(ids) == first.values["entered"]


def test_open_deals_as_of_a_day_drill_down_to_the_deals_then_in_each_stage(app, world):
    day = (START + timedelta(days=60)).date()
    result = script_result(app, world, "admin", "funnel_as_of", on=day.isoformat())
    with app.test_request_context():
        moment = context(app, world, "admin", "funnel_as_of").moment(day + timedelta(days=1))
    deals = list(replay.in_scope(world, None, pipeline=world.pipeline))
    for row, stage in zip(result.rows, world.open_stages, strict=True):
        expected = {d.id for d in deals if replay.stage_at(d, moment) == stage}
        assert row.values["deals"] == len(expected)
        if expected:
            assert listed(app, "admin", row.drill["deals"]) == expected


# the pages
def test_the_funnel_page_shows_each_stage_and_links_its_figures(app, world):
    client = client_as(app, ADMIN_EMAIL, ADMIN_PASSWORD)
    html = client.get("/reports/funnel/", query_string={"pipeline": world.pipeline, **PERIOD}).get_data(as_text=True)
    for name in ("Qualification", "Proposal", "Negotiation", "Won", "Lost"):
        assert name in html
    assert "in_report=funnel" in html
    svg = client.get("/reports/funnel/chart.svg", query_string={"pipeline": world.pipeline, **PERIOD})
    assert svg.status_code == 200 and b"Qualification" in svg.data


@pytest.mark.parametrize("name", ["funnel_by", "funnel_as_of"])
def test_the_other_funnel_pages_answer(app, world, name):
    client = client_as(app, "boss@example.com")
    response = client.get(f"/reports/{name}/", query_string={"pipeline": world.pipeline, **PERIOD})
    assert response.status_code == 200


@pytest.mark.parametrize("who", ["admin", "north"])
def test_the_hand_written_sql_the_benchmarks_time_gives_the_reports_figures(app, world, who):
    with app.test_request_context():
        ctx = context(app, world, who)
        stages = funnel_data.stage_refs(ctx.db, world.pipeline)
        [funnel] = funnel_data.period_funnels(ctx.db, common.stays(ctx), stages, ctx.start, ctx.end, NOW, "KZT")
        process = DateTime(timezone=True).bind_processor(ctx.db.get_bind().dialect) or (lambda value: value)
        stage_rows, [closing] = (
            ctx.db.execute(text(sql), {k: process(v) if isinstance(v, datetime) else v for k, v in params.items()}).all()
            for sql, params in raw.funnel_sql(ctx)
        )
    for stage, entered, average, middle in stage_rows:
        figures = funnel.stage(int(stage))
        assert (figures.entered, figures.avg_seconds, figures.median_seconds) == pytest.approx(
            (entered, replay.number(average), replay.number(middle)))
    assert sum(row[1] for row in stage_rows) == sum(f.entered for f in funnel.stages)
    won, lost, total, average, cycle = closing
    assert (funnel.won, funnel.lost, funnel.cycle_seconds) == pytest.approx((won, lost, replay.number(cycle)))
    assert replay.number(funnel.won_total) == pytest.approx(replay.number(total), abs=0.01)


@pytest.mark.parametrize("by", ["employee", "department", "office"])
def test_the_hand_written_side_by_side_sql_gives_the_reports_figures(app, world, by):
    with app.test_request_context():
        ctx = context(app, world, "boss", "funnel_by", by=by)
        stages = funnel_data.stage_refs(ctx.db, world.pipeline)
        dimension = common.dimension_of(ctx)
        funnels = {f.key: f for f in funnel_data.period_funnels(ctx.db, common.stays(ctx), stages, ctx.start, ctx.end, NOW,
                                                                 "KZT", dimension)}
        process = DateTime(timezone=True).bind_processor(ctx.db.get_bind().dialect) or (lambda value: value)
        entries, closings = (
            ctx.db.execute(text(sql), {k: process(v) if isinstance(v, datetime) else v for k, v in params.items()}).all()
            for sql, params in raw.funnel_by_sql(ctx)
        )
    assert {(key, int(stage)): entered for key, stage, entered in entries} == {
        (key, s.stage.id): s.entered for key, f in funnels.items() for s in f.stages if s.entered}
    assert closings and any(row[1] for row in closings)  # won deals to hold the amounts to
    for key, won, lost, total, counted, cycle in closings:
        found = funnels[key]
        assert (found.won, found.lost, found.won_counted, found.cycle_seconds) == pytest.approx((won, lost, counted, replay.number(cycle)))
        assert replay.number(found.won_total) == pytest.approx(replay.number(total), abs=0.01)


def test_the_funnel_exported_as_xlsx_holds_the_figures_of_the_page(app, world):
    client = client_as(app, ADMIN_EMAIL, ADMIN_PASSWORD)
    query = {"pipeline": world.pipeline, **PERIOD}
    response = client.get("/reports/funnel/export", query_string={**query, "format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    exported = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    shown = {r.values["stage"]: r.values["entered"] for r in script_result(app, world, "admin", "funnel").rows}
    assert exported == shown and sum(shown.values()) > 0
