"""Deals beyond their own page: on the timelines of their organisation and people, as what
activities are about, and on My day when they rot in a stage or pass their close date."""

from datetime import date, timedelta

import pytest

from crmkit import Panel, db, hookimpl
from crmkit.core.pipelines.models import Deal, DealPerson
from crmkit.db import utcnow
from tests.hooking import client_of, plugin, text_of
from tests.people import client_as, page, person
from tests.pipelining import acting_as, new_organization, new_pipeline, other

ADMIN = "admin@example.com"
AGENT, OTHER_AGENT = "agent@example.com", "other@example.com"


@pytest.fixture
def app(make_app):
    return make_app(DEFAULT_LOCALE="en")


@pytest.fixture
def sales(app, admin_client):
    person(app, AGENT)
    person(app, OTHER_AGENT)
    return new_pipeline(app)


def deal_as(app, email, **values):
    with acting_as(app, email) as records:
        return records.create(values).id


def set_deal(app, deal_id, **columns):
    with app.app_context():
        session = db.session()
        found = session.get(Deal, deal_id)
        for name, value in columns.items():
            setattr(found, name, value)
        session.commit()


def test_a_deal_shows_on_its_organisations_timeline_opened_and_then_won(app, admin_client, sales):
    with acting_as(app, ADMIN) as records:
        org = new_organization(records, "Alatau LLP")
        made = records.create({"title": "Cement", "pipeline_id": sales["pipeline"], "organization_id": org})
        records.update(made, {"stage_id": sales["Won"]}, version=made.version)
    timeline = page(admin_client, f"/timeline/organization/{org}")
    assert "Deal opened: Cement" in timeline and "Deal won: Cement" in timeline


def test_a_deal_shows_on_the_timelines_of_its_people(app, admin_client, sales):
    with acting_as(app, ADMIN) as records:
        someone = other(records, "person").create({"name": "Aigerim"}).id
        deal_id = records.create({"title": "Rental of a crane", "pipeline_id": sales["pipeline"]}).id
        records.db.add(DealPerson(deal_id=deal_id, person_id=someone, role="payer"))
        records.db.commit()
    assert "Deal opened: Rental of a crane" in page(admin_client, f"/timeline/person/{someone}")


def test_a_timeline_shows_only_the_deals_its_reader_sees(app, admin_client, sales):
    with acting_as(app, AGENT) as records:
        org = new_organization(records, "Shared LLP")
        records.create({"title": "Mine", "pipeline_id": sales["pipeline"], "organization_id": org})
    deal_as(app, ADMIN, title="The admin's", pipeline_id=sales["pipeline"], organization_id=org)
    timeline = page(client_as(app, AGENT), f"/timeline/organization/{org}")
    assert "Deal opened: Mine" in timeline and "The admin" not in timeline
    assert "Deal opened: The admin" in page(admin_client, f"/timeline/organization/{org}")


def test_activities_can_be_about_a_deal_and_show_on_its_timeline(app, admin_client, sales):
    deal_id = deal_as(app, ADMIN, title="Cement", pipeline_id=sales["pipeline"])
    with acting_as(app, ADMIN) as records:
        other(records, "activity").create({"kind": "call", "subject": "Price agreed", "about_entity": "deal", "about_id": deal_id})
    assert "Price agreed" in page(admin_client, f"/timeline/deal/{deal_id}")


def test_my_day_lists_the_agents_rotting_and_overdue_deals_and_no_one_elses(app, admin_client, sales):
    yesterday = date.today() - timedelta(days=1)
    late = deal_as(app, AGENT, title="Late deal", pipeline_id=sales["pipeline"], expected_close_on=yesterday.isoformat())
    idle = deal_as(app, AGENT, title="Idle deal", pipeline_id=sales["pipeline"])
    deal_as(app, AGENT, title="Fresh deal", pipeline_id=sales["pipeline"], expected_close_on=(yesterday + timedelta(days=9)).isoformat())
    deal_as(app, OTHER_AGENT, title="Someone else's", pipeline_id=sales["pipeline"], expected_close_on=yesterday.isoformat())
    set_deal(app, idle, stage_entered_at=utcnow() - timedelta(days=15))  # Qualification rots after 14 days
    myday = page(client_as(app, AGENT), "/my-day")
    rotting, overdue = myday.split('data-deals="rotting"')[1], myday.split('data-deals="overdue"')[1]
    assert "Idle deal" in rotting.split("</ul>")[0] and "Late deal" in overdue.split("</ul>")[0]
    assert "Fresh deal" not in myday and "Someone else" not in myday
    with acting_as(app, AGENT) as records:
        closing = records.get(late)
        records.update(closing, {"stage_id": sales["Won"]}, version=closing.version)
    assert "Late deal" not in page(client_as(app, AGENT), "/my-day")


def test_my_day_reads_deals_through_a_bounded_query(app, admin_client, sales):
    from crmkit.core.pipelines import myday

    for n in range(myday.SHOWN + 3):
        deal_as(app, AGENT, title=f"Late {n}", pipeline_id=sales["pipeline"], expected_close_on="2020-01-01")
    with acting_as(app, AGENT) as records:
        assert len(myday.overdue(records.user)) == myday.SHOWN + 1  # one more only to say "more"
    assert "Only the first 20 are shown." in page(client_as(app, AGENT), "/my-day")


def test_hook_myday_panels(make_app):
    @hookimpl
    def myday_panels(user):
        return [Panel("Later", "inline/widget.html", {"number": "late"}, order=30),
                Panel("Sooner", "inline/widget.html", {"number": "soon"}, order=5)]

    app = make_app(plugins=[plugin("planner", myday_panels)], DEFAULT_LOCALE="en")
    shown = text_of(client_of(app), "/my-day")
    assert shown.index(">Sooner</h2>") < shown.index(">Later</h2>")
    assert 'class="widget-number">soon<' in shown
