"""Duplicate hints: people, organisations and open leads sharing a lead's phone (in any of its
forms) or email, through the contacts' own index; only records the user sees are named."""

from __future__ import annotations

import pytest

from crmkit import db
from crmkit.core.lead_triage import hints
from crmkit.core.leads.models import Lead
from tests.leads.triaging import arrive, post
from tests.pipelining import acting_as


@pytest.fixture
def app(make_app):
    return make_app(DEFAULT_LOCALE="en")


@pytest.fixture
def manager(make_user):
    return make_user("manager", department="Sales", locale="en")


def hints_of(app, user, lead_id):
    with app.test_request_context():
        session = db.session()
        return hints.for_leads(session.merge(user), session, [session.get(Lead, lead_id)])[lead_id]


def test_a_person_with_the_number_among_their_other_phones_is_a_hint(app, manager):
    with acting_as(app, manager.email, "person") as people:
        person = people.create({"name": "Ерлан", "phone": "+7 727 250 12 34", "other_phones": "8 (701) 765-43-21"}).id
    lead_id = arrive(app, phones=["+7 701 765 4321"])
    found = hints_of(app, manager, lead_id)
    assert [(h.entity, h.record_id) for h in found.shown] == [("person", person)]
    assert found.shown[0].reason == "same phone +7 701 765 43 21"


def test_an_organisation_with_the_email_in_another_case_is_a_hint(app, manager):
    with acting_as(app, manager.email, "organization") as organizations:
        org = organizations.create({"name": "ТОО Алтын", "email": "info@altyn.kz"}).id
    lead_id = arrive(app, emails=["INFO@Altyn.kz"])
    assert [(h.entity, h.record_id) for h in hints_of(app, manager, lead_id).shown] == [("organization", org)]


def test_open_leads_are_hints_and_closed_ones_are_not(app, manager, client_for):
    open_one = arrive(app, name="Open", phones=["+77015550000"])
    closed = arrive(app, name="Closed", phones=["+77015550000"])
    post(client_for(manager), f"/lead_triage/{closed}/reject", {"reason": "spam"})
    lead_id = arrive(app, name="New", phones=["8 701 555 00 00"])
    assert [(h.entity, h.record_id) for h in hints_of(app, manager, lead_id).shown] == [("lead", open_one)]


def test_a_match_the_user_cant_open_is_counted_not_named(app, make_user, manager):
    other = make_user("agent", department="Elsewhere")
    with acting_as(app, other.email, "person") as people:
        people.create({"name": "Секрет", "phone": "+77017778899"})
    lead_id = arrive(app, phones=["+7 701 777 88 99"])
    found = hints_of(app, manager, lead_id)
    assert found.shown == [] and found.hidden == 1
    assert found


def test_a_lead_without_phone_or_email_has_no_hints(app, manager):
    lead_id = arrive(app, name="Anonymous")
    assert not hints_of(app, manager, lead_id)


def test_the_lead_page_shows_its_possible_duplicates(app, manager, client_for):
    with acting_as(app, manager.email, "person") as people:
        people.create({"name": "Айдана", "email": "aidana@example.kz"})
    lead_id = arrive(app, emails=["aidana@example.kz"])
    page = client_for(manager).get(f"/lead/{lead_id}").text
    assert "Possible duplicates" in page and "Айдана" in page and "same email aidana@example.kz" in page
