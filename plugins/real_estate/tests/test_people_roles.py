"""People's real-estate roles (buyer, seller, landlord, tenant) and preferred districts: fields on
the person, kept in the plugin's own table and filtered on in the people list."""

from __future__ import annotations

from sqlalchemy import select

from crmkit import api
from crmkit_real_estate.people import PersonRole, districts_of


def test_a_persons_roles_and_districts_are_saved_with_the_person(app, make_user):
    agent = make_user("agent")
    with app.test_request_context():
        person = api.Records("person", agent).create(
            {"name": "Ерлан Садыков", "real_estate": {"is_buyer": True, "districts": "Медеуский р-н, Бостандыкский р-н"}})
        row = api.session().execute(select(PersonRole).where(PersonRole.record_id == person.id)).scalar_one()
    assert (row.is_buyer, row.is_seller, districts_of(row.districts)) == (True, False, ["Медеуский р-н", "Бостандыкский р-н"])


def test_the_people_list_filters_on_a_role(app, make_user, client_for):
    agent = make_user("agent")
    with app.test_request_context():
        people = api.Records("person", agent)
        people.create({"name": "Покупатель Один", "real_estate": {"is_buyer": True}})
        people.create({"name": "Продавец Два", "real_estate": {"is_seller": True}})
    page = client_for(agent).get("/person/?real_estate.is_buyer=true").get_data(as_text=True)
    assert "Покупатель Один" in page and "Продавец Два" not in page


def test_repeated_districts_are_kept_once():
    assert districts_of(" Есиль, есиль ,, Сарыарка") == ["Есиль", "Сарыарка"]
