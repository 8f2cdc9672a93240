"""The Clients reports against hand-written SQL on generated data: new clients, clients without
activity for N days, and the ABC split by revenue; each figure drills down to its records."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, text

from crmkit import db
from tests.people import client_as, page
from tests.test_reports_frame import NOW, by_month, generate, list_count, run_as, staff

IDLE_SQL = """
SELECT o.owner_id, count(*) FROM contacts_organization o
WHERE o.is_client AND o.archived_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM activity a WHERE a.archived_at IS NULL AND a.happened_at >= :since AND a.happened_at <= :now
                  AND ((a.about_entity = 'organization' AND a.about_id = o.id)
                    OR (a.about_entity = 'person' AND a.about_id IN (SELECT p.id FROM contacts_person p WHERE p.organization_id = o.id))
                    OR (a.about_entity = 'deal' AND a.about_id IN (SELECT d.id FROM pipelines_deal d WHERE d.organization_id = o.id))))
GROUP BY o.owner_id
"""
REVENUE_SQL = """
SELECT d.organization_id, sum(d.won_amount) FROM pipelines_deal d JOIN contacts_organization o ON o.id = d.organization_id
WHERE d.won_amount IS NOT NULL AND d.archived_at IS NULL AND o.archived_at IS NULL
GROUP BY d.organization_id HAVING sum(d.won_amount) > 0
"""


@pytest.fixture
def world(app):
    people = staff(app)
    return {**people, **generate(app, people, seed=11, organizations=120)}


def sql(app, statement: str, **params):
    """Rows of hand-written SQL; moments bound as each engine stores them (SQLite: naive UTC text)."""
    with app.app_context():
        session = db.session()
        if session.get_bind().dialect.name == "sqlite":
            params = {k: v.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(v, datetime) else v
                      for k, v in params.items()}
        return session.execute(text(statement), params).all()


@pytest.mark.parametrize("days", [7, 30, 90])
def test_clients_without_activity_equal_a_hand_written_not_exists_query(app, world, days):
    result, _ = run_as(app, "admin@example.com", "clients_idle", days=str(days))
    expected = dict(sql(app, IDLE_SQL, since=NOW - timedelta(days=days), now=NOW))
    assert sum(row.values["idle"] for row in result.rows) == sum(expected.values()) == result.totals.values["idle"]
    assert sum(expected.values()) > 0
    names = {"Nobody": None, **{f"{who}@example.com": world[who] for who in ("admin", "boss", "north", "support")}}
    assert {names[row.values["employee"]]: row.values["idle"] for row in result.rows if row.values["idle"]} == expected


def abc_expected(revenues: list[tuple[int, Decimal]]) -> dict[str, tuple[int, Decimal]]:
    """The ABC classes by hand: biggest first; a client is A while the revenue before it is under
    80% of the total, B under 95%, C after."""
    ordered = sorted(revenues, key=lambda item: (-item[1], item[0]))
    total = sum(amount for _, amount in ordered)
    before, found = Decimal(0), {}
    for _organization, amount in ordered:
        grade = "A" if before < total * Decimal("0.8") else "B" if before < total * Decimal("0.95") else "C"
        count, summed = found.get(grade, (0, Decimal(0)))
        found[grade] = (count + 1, summed + amount)
        before += amount
    return found


def test_the_abc_split_equals_revenue_summed_in_sql_and_classed_by_hand(app, world):
    result, _ = run_as(app, "admin@example.com", "clients_abc", period="all")
    expected = abc_expected([(org, Decimal(amount)) for org, amount in sql(app, REVENUE_SQL)])
    shown = {row.values["grade"][0]: (row.values["clients"], Decimal(row.values["revenue"])) for row in result.rows}
    assert {grade: figures for grade, figures in shown.items() if figures[0]} == expected
    assert result.totals.values["revenue"] == sum(amount for _, amount in expected.values())


def test_a_manager_s_abc_counts_the_revenue_of_deals_and_clients_they_see(app, world):
    boss_result, _ = run_as(app, "boss@example.com", "clients_abc", period="all")
    mine = (world["boss"], world["north"])
    revenues = sql(app, REVENUE_SQL.replace("GROUP BY", "AND d.owner_id IN (:a, :b) AND o.owner_id IN (:a, :b) GROUP BY"),
                   a=mine[0], b=mine[1])
    assert boss_result.totals.values["revenue"] == sum(Decimal(amount) for _, amount in revenues)
    assert boss_result.totals.values["clients"] == len(revenues)


def drilled(body: str) -> list[tuple[str, int]]:
    return [(href.replace("&amp;", "&"), int(re.sub(r"\D", "", figure)))
            for href, figure in re.findall(r'<a href="(/organization/\?[^"]+)">([\d\s\u00a0,]+)</a>', body)]


@pytest.mark.parametrize("report", ["clients_abc/?period=all", "clients_idle/?days=30"])
def test_every_figure_of_the_scripted_reports_drills_down_to_as_many_records(app, world, report):
    manager = client_as(app, "boss@example.com")
    links = drilled(page(manager, f"/reports/{report}"))
    assert len(links) >= 3
    for href, figure in links:
        assert list_count(manager, href) == figure, href


def test_a_drill_down_of_a_report_the_reader_may_not_run_is_refused(app, world):
    agent = client_as(app, "north@example.com")
    href = drilled(page(agent, "/reports/clients_abc/?period=all"))[0][0]
    with app.app_context():
        from crmkit.core.access.models import Role

        db.session().get(Role, "agent").permissions = ["organization.view"]
        db.session().commit()
    refused = agent.get(href)
    assert refused.status_code == 302 and refused.location == "/organization/"  # the list unfiltered, with the reason


def raw_rows(app, report_key: str, **args):
    """The rows of a report's own ``raw_sql`` (what the benchmarks time it against)."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        from crmkit.core.auth.models import User
        from crmkit.reports import Context

        session = db.session()
        admin = session.execute(select(User).where(User.email == "admin@example.com")).scalar_one()
        report = app.extensions["crmkit.reports"].get(report_key)
        statements = report.raw_sql(Context.build(report, admin, args, session, now=NOW))
    return [sql(app, statement, **params) for statement, params in statements][0]


@pytest.mark.parametrize("report_key", ["clients_new", "clients_new_people"])
def test_the_raw_sql_the_benchmarks_time_gives_the_new_clients_figures(app, world, report_key):
    result, _ = run_as(app, "admin@example.com", report_key, period="this_year")
    shown = {month: count for month, count in by_month(result).items() if count}
    assert {str(month)[:7]: count for month, count in raw_rows(app, report_key, period="this_year")} == shown


def test_the_raw_sql_the_benchmarks_time_gives_the_idle_and_abc_figures(app, world):
    idle, _ = run_as(app, "admin@example.com", "clients_idle")
    assert sorted((clients, idle_count) for _owner, clients, idle_count in raw_rows(app, "clients_idle")) == sorted(
        (row.values["clients"], row.values["idle"]) for row in idle.rows)
    abc, _ = run_as(app, "admin@example.com", "clients_abc")
    assert {grade: (count, Decimal(amount)) for grade, count, amount in raw_rows(app, "clients_abc")} == {
        row.values["grade"][0]: (row.values["clients"], Decimal(row.values["revenue"])) for row in abc.rows if row.values["clients"]}


def test_abc_never_adds_amounts_of_two_currencies_each_currency_is_classed_apart(app, world):
    with app.app_context():
        session = db.session()
        session.execute(text("UPDATE pipelines_deal SET currency = 'USD' WHERE id % 3 = 0"))
        session.commit()
    for currency, args in (("KZT", {}), ("USD", {"currency": "USD"})):
        result, _ = run_as(app, "admin@example.com", "clients_abc", period="all", **args)
        revenues = sql(app, REVENUE_SQL.replace("GROUP BY", f"AND d.currency = '{currency}' GROUP BY"))
        expected = abc_expected([(org, Decimal(amount)) for org, amount in revenues])
        shown = {row.values["grade"][0]: (row.values["clients"], Decimal(row.values["revenue"])) for row in result.rows}
        assert {grade: figures for grade, figures in shown.items() if figures[0]} == expected, currency
        assert result.totals.values["revenue"] == sum(amount for _, amount in expected.values()) > 0
        assert str(result.columns[2].label) == f"Revenue, {currency}"


def test_a_figure_of_the_abc_in_another_currency_drills_down_to_as_many_records(app, world):
    with app.app_context():
        db.session().execute(text("UPDATE pipelines_deal SET currency = 'USD' WHERE id % 2 = 0"))
        db.session().commit()
    manager = client_as(app, "boss@example.com")
    links = drilled(page(manager, "/reports/clients_abc/?period=all&currency=USD"))
    assert links
    for href, figure in links:
        assert list_count(manager, href) == figure, href
