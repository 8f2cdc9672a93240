"""Converting a lead: person, organisation and deal made or found in one transaction, the lead's
source and UTM tags kept on the deal, both timelines pointing at each other."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crmkit import db
from crmkit.core.contacts.models import Organization, Person
from crmkit.core.lead_triage.models import Conversion, DealOrigin
from crmkit.core.pipelines.models import Deal, DealPerson
from tests.leads.triaging import arrive, count, lead_of, new_pipeline, post
from tests.pipelining import acting_as


@pytest.fixture
def manager(make_user):
    return make_user("manager", department="Sales", locale="en")


@pytest.fixture
def client(manager, client_for):
    return client_for(manager)


def convert(client, lead_id, **form):
    page = f"/lead_triage/{lead_id}/convert"
    return post(client, page, form, page)


def totals(app) -> tuple[int, int, int]:
    return count(app, Person), count(app, Organization), count(app, Deal)


def test_converting_makes_the_person_the_organisation_and_the_deal_once(app, client, make_source):
    stages = new_pipeline(app)
    second = new_pipeline(app, "Rent")
    make_source("instagram", {"en": "Instagram"}, utm_source="ig")
    lead_id = arrive(app, name="Дана Абенова", organization_name="ТОО «Жулдыз»", phones=["8 (701) 222-33-44", "bad"],
                     emails=["dana@zhuldyz.kz"], request="Офис 120 м² в аренду", utm={"utm_source": "ig", "utm_campaign": "may"})
    response = convert(client, lead_id, person="new", organization="new", deal="new", pipeline_id=second["pipeline"],
                       title="Офис для Жулдыз", amount="450 000")
    assert response.status_code == 302
    lead = lead_of(app, lead_id)
    assert lead.status == "converted" and None not in (lead.person_id, lead.organization_id, lead.deal_id)
    assert totals(app) == (1, 1, 1)
    with app.app_context():
        session = db.session()
        deal, person = session.get(Deal, lead.deal_id), session.get(Person, lead.person_id)
        assert (deal.title, deal.pipeline_id, deal.organization_id, str(deal.amount)) == (
            "Офис для Жулдыз", second["pipeline"], lead.organization_id, "450000.00")
        assert deal.description == "Офис 120 м² в аренду" and deal.stage_id != stages["pipeline"]
        assert (person.name, person.phone, person.email, person.organization_id) == (
            "Дана Абенова", "+77012223344", "dana@zhuldyz.kz", lead.organization_id)
        assert session.get(Organization, lead.organization_id).name == "ТОО «Жулдыз»"
        assert session.execute(select(DealPerson.person_id).where(DealPerson.deal_id == deal.id)).scalars().all() == [person.id]
        origin = session.get(DealOrigin, deal.id)
        assert (origin.lead_id, origin.channel, origin.utm_source, origin.utm_campaign) == (lead_id, "form", "ig", "may")
        assert origin.source_id == lead.source_id is not None
    assert count(app, Conversion, Conversion.lead_id == lead_id, Conversion.created.is_(True)) == 1


def test_a_lead_converted_once_is_not_converted_again(app, client):
    new_pipeline(app)
    lead_id = arrive(app)
    convert(client, lead_id, person="new", organization="none", deal="new", title="Once")
    again = convert(client, lead_id, person="new", organization="none", deal="new", title="Twice")
    assert again.status_code in (403, 422)
    assert totals(app) == (1, 0, 1)


def test_the_person_with_the_same_phone_is_offered_and_linked_instead_of_a_new_one(app, client, manager):
    new_pipeline(app)
    with acting_as(app, manager.email, "person") as people:
        known = people.create({"name": "Дана А.", "phone": "+7 701 222 33 44"}).id
    lead_id = arrive(app, phones=["87012223344"])
    page = client.get(f"/lead_triage/{lead_id}/convert").text
    assert f'name="person" value="{known}" checked' in page and "same phone +7 701 222 33 44" in page
    convert(client, lead_id, person=str(known), organization="none", deal="new", title="Квартира")
    assert lead_of(app, lead_id).person_id == known
    assert count(app, Person) == 1


def test_a_new_person_beside_a_match_needs_a_second_press(app, client, manager):
    new_pipeline(app)
    with acting_as(app, manager.email, "person") as people:
        people.create({"name": "Дана А.", "email": "dana@example.kz"})
    lead_id = arrive(app, emails=["DANA@example.kz"])
    refused = convert(client, lead_id, person="new", organization="none", deal="new", title="Квартира")
    assert refused.status_code == 422 and "People with the same phone or email exist: Дана А." in refused.text
    assert (count(app, Person), lead_of(app, lead_id).status) == (1, "new")
    done = convert(client, lead_id, person="new", organization="none", deal="new", title="Квартира", confirm_duplicates="1")
    assert done.status_code == 302 and count(app, Person) == 2


def test_a_failure_midway_leaves_nothing_made(app, client):
    new_pipeline(app)
    lead_id = arrive(app, organization_name="ТОО Альфа")
    refused = convert(client, lead_id, person="new", organization="new", deal="new", title="Big", amount="1" + "0" * 20)
    assert refused.status_code == 422
    assert totals(app) == (0, 0, 0)
    lead = lead_of(app, lead_id)
    assert (lead.status, lead.person_id, lead.deal_id) == ("new", None, None)
    assert count(app, Conversion) == 0 and count(app, DealOrigin) == 0


def test_converting_into_an_existing_deal(app, client, manager):
    stages = new_pipeline(app)
    with acting_as(app, manager.email) as deals:
        deal_id = deals.create({"title": "Existing", "pipeline_id": stages["pipeline"]}).id
    lead_id = arrive(app)
    convert(client, lead_id, person="none", organization="none", deal="existing", deal_id=str(deal_id))
    assert lead_of(app, lead_id).deal_id == deal_id
    assert count(app, Deal) == 1
    assert count(app, Conversion, Conversion.deal_id == deal_id, Conversion.created.is_(False)) == 1


def test_the_lead_and_the_deal_point_at_each_other(app, client, make_source):
    new_pipeline(app)
    make_source("krisha", {"en": "Krisha.kz"}, utm_source="krisha")
    lead_id = arrive(app, name="Ерлан", utm={"utm_source": "krisha", "utm_medium": "cpc"})
    convert(client, lead_id, person="none", organization="none", deal="new", title="Дом в Талгаре")
    deal_id = lead_of(app, lead_id).deal_id
    lead_page = client.get(f"/lead/{lead_id}").text
    assert "Converted into the deal Дом в Талгаре" in lead_page and f"/deal/{deal_id}" in lead_page
    deal_page = client.get(f"/deal/{deal_id}").text
    assert "From the lead Ерлан" in deal_page and f"/lead/{lead_id}" in deal_page
    assert "Krisha.kz" in deal_page and "cpc" in deal_page


def test_an_agent_converts_their_own_lead(app, make_user, client_for):
    new_pipeline(app)
    agent = make_user("agent", locale="en")
    lead_id = arrive(app)
    with app.app_context():
        from crmkit.core.leads.models import Lead

        db.session().get(Lead, lead_id).owner_id = agent.id
        db.session().commit()
    response = convert(client_for(agent), lead_id, person="new", organization="none", deal="new", title="Mine")
    assert response.status_code == 302
    with app.app_context():
        assert db.session().get(Deal, lead_of(app, lead_id).deal_id).owner_id == agent.id
