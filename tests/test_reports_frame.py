"""The report frame: declared reports compile to one aggregate that an independent SQL query
confirms, visibility counts what each role may see, the drill-down lists the records behind a
figure, buckets follow the user's clock, and the pages hold to permissions.

The other tests of reports import ``staff`` and ``generate`` from here: a seeded, generated set of
organizations, people, deals and activities, owned across two departments and nobody.
"""

from __future__ import annotations

import random
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, text

from crmkit import db
from crmkit.core.access.models import Department, Office
from crmkit.core.activities.models import Activity
from crmkit.core.auth.models import User
from crmkit.core.contacts.models import Organization, Person
from crmkit.core.pipelines import setup
from crmkit.core.pipelines.models import Deal
from crmkit.reports import Context, Dimension, Measure, Report, engine, timezones
from tests.people import client_as, matrix_staff, page

NOW = datetime.now(UTC).replace(microsecond=0)
SOURCES = ("website", "referral", "cold_call", None)


def staff(app) -> dict[str, int]:
    """The permission matrix's staff (admin; boss managing Sales; north, an agent under him in
    Sales North; support, an agent in Support), Sales in the Almaty office; ids by who."""
    matrix_staff(app)
    with app.app_context():
        session = db.session()
        office = Office(name="Almaty")
        session.add(office)
        session.flush()
        session.execute(Department.__table__.update().where(Department.name == "Sales").values(office_id=office.id))
        users = {u.email.split("@")[0]: u.id for u in session.execute(select(User)).scalars()}
        for user in session.execute(select(User)).scalars():
            user.timezone = "Asia/Almaty"
        session.commit()
        return {"office": office.id, **{k: users[f"{k}"] for k in ("admin", "boss", "north", "support")}}


def generate(app, people: dict[str, int], seed: int = 7, organizations: int = 80) -> dict[str, int]:
    """Organizations, people, deals and activities spread over the last 400 days and four owners."""
    rng = random.Random(seed)
    owners = [people["boss"], people["north"], people["support"], None]
    with app.app_context():
        session = db.session()
        pipeline = setup.create_pipeline(session, {"en": "Sales"})
        stages = {s.kind: s.id for s in reversed(setup.stages_of(session, pipeline.id))}
        orgs = []
        for number in range(organizations):
            created = NOW - timedelta(days=rng.randint(0, 400), minutes=rng.randint(0, 1440))
            orgs.append(Organization(
                name=f"Org {number}", owner_id=rng.choice(owners), is_client=rng.random() < 0.7, source=rng.choice(SOURCES),
                segment=rng.choice(("vip", "regular", None)), created_at=created, updated_at=created,
                archived_at=NOW if number % 17 == 5 else None,
            ))
        session.add_all(orgs)
        session.flush()
        persons = [Person(name=f"Person {n}", owner_id=rng.choice(owners), is_client=rng.random() < 0.5,
                          organization_id=rng.choice(orgs).id, created_at=NOW - timedelta(days=rng.randint(0, 400)))
                   for n in range(40)]
        session.add_all(persons)
        session.flush()
        deals = []
        for number in range(120):
            won = rng.random() < 0.5
            closed = NOW - timedelta(days=rng.randint(0, 300)) if won else None
            amount = Decimal(rng.choice((100, 250, 1000, 5000, 12000, 40000)))
            deals.append(Deal(
                title=f"Deal {number}", pipeline_id=pipeline.id, stage_id=stages["won" if won else "open"],
                organization_id=rng.choice(orgs).id if rng.random() < 0.9 else None, owner_id=rng.choice(owners),
                amount=amount, won_amount=amount if won else None, closed_at=closed, source=rng.choice(SOURCES),
            ))
        session.add_all(deals)
        session.flush()
        about = [("organization", o.id) for o in orgs] + [("person", p.id) for p in persons] + [("deal", d.id) for d in deals]
        session.add_all([
            Activity(kind=rng.choice(("call", "meeting", "email", "task")), subject="s", owner_id=rng.choice(owners),
                     about_entity=entity, about_id=record_id, happened_at=NOW - timedelta(days=rng.randint(0, 120)))
            for entity, record_id in rng.sample(about, 90)
        ])
        session.commit()
        return {"pipeline": pipeline.id}


@pytest.fixture
def world(app):
    people = staff(app)
    return {**people, **generate(app, people)}


def local_month(dialect: str) -> str:
    """The month of created_at on Almaty's clock, written by hand for each engine (UTC+5 all year
    since March 2024; the generated data is younger)."""
    if dialect == "postgresql":
        return "to_char(created_at AT TIME ZONE 'Asia/Almaty', 'YYYY-MM')"
    return "strftime('%Y-%m', datetime(created_at, '+5 hours'))"


def run_as(app, email: str, report_key: str, **args):
    """A report's Result and Context for the user with ``email``, in English, at ``NOW``."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        session = db.session()
        user = session.execute(select(User).where(User.email == email)).scalar_one()
        report = app.extensions["crmkit.reports"].get(report_key)
        ctx = Context.build(report, user, args, session, now=NOW)
        return engine.run(report, ctx), ctx


def by_month(result) -> dict[str, int]:
    """The figures of a month-bucketed result by ``YYYY-MM``, from each row's drill-down bounds."""
    found = {}
    for row in result.rows:
        start = datetime.fromisoformat(row.drill["count"]["created_at__gte"]).astimezone(timezones_zone())
        found[start.strftime("%Y-%m")] = row.values["count"]
    return found


def timezones_zone():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Almaty")


def test_new_clients_per_month_equal_a_hand_written_query_on_each_engine(app, world):
    result, ctx = run_as(app, "admin@example.com", "clients_new", period="all", by="month")
    sql = (f"SELECT {local_month(ctx.dialect)} AS month, count(*) FROM contacts_organization "
           "WHERE is_client AND archived_at IS NULL GROUP BY 1")
    with app.app_context():
        expected = dict(db.session().execute(text(sql)).all())
    assert by_month(result) == expected
    assert result.totals.values["count"] == sum(expected.values())


def test_the_period_and_the_bar_narrow_the_figures_as_the_same_conditions_in_sql_do(app, world):
    result, ctx = run_as(app, "admin@example.com", "clients_new", period="custom", by="owner",
                         start=str((NOW - timedelta(days=100)).date()), end=str(NOW.date()), source="website")
    start, end = ctx.start, ctx.end
    with app.app_context():
        expected = dict(db.session().execute(text(
            "SELECT owner_id, count(*) FROM contacts_organization WHERE is_client AND archived_at IS NULL "
            "AND source = 'website' AND created_at >= :start AND created_at < :end GROUP BY owner_id"
        ), {"start": start, "end": end}).all())
    assert start == datetime.combine(NOW.date() - timedelta(days=100), datetime.min.time(), timezones_zone()).astimezone(UTC)
    with app.app_context():
        names = {u.id: u.name or u.email for u in db.session().execute(select(User)).scalars()}
    assert {row.values["owner"]: row.values["count"] for row in result.rows} == {
        names.get(owner, "Nobody"): count for owner, count in expected.items()
    }


def test_a_manager_counts_their_department_and_an_agent_their_own(app, world):
    with app.app_context():
        counts = dict(db.session().execute(text(
            "SELECT owner_id, count(*) FROM contacts_organization WHERE is_client AND archived_at IS NULL GROUP BY owner_id"
        )).all())
    boss, _ = run_as(app, "boss@example.com", "clients_new", period="all", by="owner")
    north, _ = run_as(app, "north@example.com", "clients_new", period="all", by="owner")
    assert boss.totals.values["count"] == counts.get(world["boss"], 0) + counts.get(world["north"], 0)
    assert north.totals.values["count"] == counts.get(world["north"], 0)
    assert [row.values["owner"] for row in north.rows] == ["north@example.com"]


def test_the_office_filter_counts_the_owners_in_the_office_s_departments(app, world):
    result, _ = run_as(app, "admin@example.com", "clients_new", period="all", by="owner", office=str(world["office"]))
    with app.app_context():
        expected = db.session().execute(text(
            "SELECT count(*) FROM contacts_organization o JOIN core_user u ON u.id = o.owner_id "
            "JOIN core_department d ON d.id = u.department_id WHERE o.is_client AND o.archived_at IS NULL AND d.office_id = :office"
        ), {"office": world["office"]}).scalar_one()
    assert result.totals.values["count"] == expected


def list_count(client, url: str) -> int:
    """The count a list page shows under its heading (any language; it counts to 1,000)."""
    body = page(client, url)
    found = re.search(r'<p class="muted">\s*([\d\s\u00a0,]+)\D', body)
    assert found, body
    return int(re.sub(r"\D", "", found.group(1)))


def test_a_drill_down_lists_exactly_the_records_behind_each_figure(app, world):
    manager = client_as(app, "boss@example.com")
    body = page(manager, "/reports/clients_new/?period=this_year&by=month")
    links = re.findall(r'<a href="(/organization/\?[^"]+)">([\d\s\u00a0,]+)</a>', body)
    assert links, body
    for href, figure in links:
        assert list_count(manager, href.replace("&amp;", "&")) == int(re.sub(r"\D", "", figure)), href


def test_buckets_follow_the_user_s_clock_across_a_change_of_utc_offset():
    # Almaty moved from UTC+6 to UTC+5 at 2024-03-01 00:00 local (2024-02-29 18:00 UTC).
    changes = timezones.offsets("Asia/Almaty", datetime(2024, 2, 1, tzinfo=UTC), datetime(2024, 4, 1, tzinfo=UTC))
    assert changes == ((datetime(2024, 2, 29, 18, 0, tzinfo=UTC), 6 * 3600), (None, 5 * 3600))


def test_a_moment_after_local_midnight_counts_in_the_user_s_new_day_though_utc_is_still_in_the_old_one(app, world):
    with app.app_context():
        session = db.session()
        late = datetime(2025, 12, 31, 19, 30, tzinfo=UTC)  # 00:30 on 1 January 2026 in Almaty
        session.add(Organization(name="New year", is_client=True, owner_id=world["admin"], created_at=late, updated_at=late))
        session.commit()
    result, _ = run_as(app, "admin@example.com", "clients_new", period="custom", start="2026-01-01", end="2026-01-01", by="day")
    assert [(row.values["count"]) for row in result.rows] == [1]


def test_a_declared_report_with_a_measure_of_its_own_rows_counts_in_one_query(app, world):
    report = Report("calls", "Calls", entity="activity", period_field="happened_at",
                    dimensions=(Dimension("kind", "Kind", column="kind"),),
                    measures=(Measure("all", "All"), Measure("calls", "Calls", where={"kind": "call"})),
                    plugin="core.test")
    with app.test_request_context():
        session = db.session()
        admin = session.execute(select(User).where(User.email == "admin@example.com")).scalar_one()
        ctx = Context.build(report, admin, {"period": "all"}, session, now=NOW)
        result = engine.run(report, ctx)
        expected = dict(session.execute(text("SELECT kind, count(*) FROM activity WHERE archived_at IS NULL GROUP BY kind")).all())
    assert {row.drill["all"]["kind"]: row.values["all"] for row in result.rows} == expected
    assert sum(row.values["calls"] for row in result.rows) == expected.get("call", 0)


def test_reports_list_only_what_the_user_may_run(app, world):
    with app.app_context():
        from crmkit.core.access.models import Role

        session = db.session()
        role = Role(name="contacts_only", permissions=["person.view"], visibility={"*": "own"})
        session.add(role)
        session.execute(User.__table__.update().where(User.email == "support@example.com").values(role="contacts_only"))
        session.commit()
    limited = client_as(app, "support@example.com")
    body = page(limited, "/reports/")
    assert "New clients: people" not in body  # no reports.*.view granted
    assert limited.get("/reports/clients_new/").status_code == 403
    assert limited.get("/reports/clients_new/export?format=xlsx").status_code == 403
    assert limited.get("/reports/clients_new/chart.svg").status_code == 403
    assert client_as(app, "north@example.com").get("/reports/nothing_here/").status_code == 404


def test_date_bucket_helpers_read_both_engines_values():
    assert Context.bucket_day("2026-03-01") == date(2026, 3, 1)
    assert Context.bucket_day(datetime(2026, 3, 1, 0, 0)) == date(2026, 3, 1)
    assert Context.bucket_day(date(2026, 3, 1)) == date(2026, 3, 1)


def test_dates_without_a_preset_are_a_custom_period_and_a_preset_ignores_stale_dates(app, world):
    _, dated = run_as(app, "admin@example.com", "clients_new", start="2026-01-01", end="2026-01-31")
    assert dated.values["period"] == "custom" and dated.days() == (date(2026, 1, 1), date(2026, 1, 31))
    _, preset = run_as(app, "admin@example.com", "clients_new", period="all", start="2026-01-01")
    assert (preset.start, preset.end) == (None, None)
