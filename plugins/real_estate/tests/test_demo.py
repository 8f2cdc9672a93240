"""`crmkit demo` with the plugin: the agency gets objects across Almaty's and Astana's districts,
buyers with demands, and a year of calls, showings, leads, offers and deals about the objects.
One company is loaded for the module (seed 2024, as of a fixed Monday)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from crmkit import api
from crmkit.testing import ADMIN_EMAIL, ADMIN_PASSWORD, add_user

from crmkit_real_estate import counts
from crmkit_real_estate.counts import links
from estate_records import csv_rows

TODAY = date(2026, 3, 16)


@pytest.fixture(scope="module")
def demo(tmp_path_factory, migrated_databases):
    """The app with the plugin, after `crmkit demo --seed 2024`, and what the command printed."""
    from crmkit import db
    from crmkit.app import create_app
    from crmkit.testing import TEST_SECRET, own_database

    import crmkit_real_estate.hooks as plugin

    folder = tmp_path_factory.mktemp("estate-demo")
    with pytest.MonkeyPatch.context() as env, own_database(folder) as url:
        env.setenv("CRMKIT_INSTANCE_PATH", str(folder / "instance"))
        env.setenv("CRMKIT_LOCALE", "en")
        app = create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET, "DATABASE_URL": url, "LOAD_ENTRY_POINTS": False},
                         plugins=[plugin])
        migrated_databases.upgrade(db.engine_of(app), app.extensions["crmkit"].lineages)
        add_user(app, ADMIN_EMAIL, ADMIN_PASSWORD, is_admin=True, name="Admin")
        result = app.test_cli_runner().invoke(args=["demo", "--seed", "2024", "--today", TODAY.isoformat()])
        assert result.exit_code == 0, result.output
        yield app, result.output
        db.engine_of(app).dispose()


@pytest.fixture
def session(demo):
    with demo[0].test_request_context():
        yield api.session()


def count(session, statement) -> int:
    return session.execute(statement).scalar() or 0


def test_objects_lie_in_the_districts_of_almaty_and_astana(session):
    table = counts.model(counts.PROPERTY)
    cities = dict(session.execute(select(table.c.city, func.count(func.distinct(table.c.district))).group_by(table.c.city)).all())
    assert set(cities) == {"Алматы", "Астана"} and cities["Алматы"] >= 4 and cities["Астана"] >= 3


def test_every_call_about_an_object_is_linked_to_it(session):
    activity = counts.model("activity")
    linked = count(session, select(func.count()).select_from(links).join(activity, activity.c.id == links.c.subject_id)
                   .where(links.c.subject_entity == "activity", activity.c.kind == "call"))
    assert linked > 100


def test_the_year_of_calls_ends_today(session):
    activity = counts.model("activity")
    latest = session.execute(select(func.max(activity.c.happened_at)).select_from(links)
                             .join(activity, activity.c.id == links.c.subject_id)
                             .where(links.c.subject_entity == "activity", activity.c.kind == "call")).scalar()
    assert latest.date() <= TODAY


def test_sold_objects_carry_an_accepted_offer(session):
    table, offer = counts.model(counts.PROPERTY), counts.model("real_estate.offer")
    sold = count(session, select(func.count()).select_from(table).where(table.c.status.in_(("sold", "rented"))))
    with_accepted = count(session, select(func.count(func.distinct(offer.c.property_id)))
                          .join(table, table.c.id == offer.c.property_id)
                          .where(table.c.status.in_(("sold", "rented")), offer.c.status == "accepted"))
    assert sold > 0 and with_accepted >= sold * 0.5


def test_buyers_have_demands_with_districts(session):
    demand = counts.model("real_estate.demand")
    assert count(session, select(func.count()).select_from(demand).where(demand.c.districts.is_not(None))) > 10


def test_the_cheapest_band_draws_more_calls_per_object_than_the_dearest(demo):
    from crmkit.testing import login

    client = demo[0].test_client()
    login(client)
    rows = csv_rows(client.get("/reports/real_estate.objects/export?format=csv&period=all&deal_type=sale"))[1:-1]
    per_object = [float(row[3]) for row in rows if row[3]]
    assert len(per_object) >= 3 and per_object[0] > per_object[-1]


def test_the_agencys_portals_become_lead_sources_with_tracking_numbers(session):
    sources = {s["key"]: s for s in api.lead_sources()}
    assert {"krisha", "olx", "instagram", "site"} <= set(sources) and sources["krisha"]["numbers"] == ["+77273561801"]
