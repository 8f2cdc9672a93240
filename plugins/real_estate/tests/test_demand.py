"""Buyer demand: saved on a person or a lead, its districts kept for matching, its form's errors."""

from crmkit import api
from crmkit_real_estate import demand
from crmkit_real_estate.demand_models import DemandDistrict
from sqlalchemy import select

from demand_data import WANT, add_demand, add_person


def districts_of(demand_id):
    statement = select(DemandDistrict.district).where(DemandDistrict.demand_id == demand_id).order_by(DemandDistrict.district)
    return list(api.session().execute(statement).scalars())


def test_a_demand_keeps_each_named_district_as_a_row(app, make_user):
    agent = make_user("agent")
    with app.test_request_context():
        record = add_demand(agent, districts="Медеуский; Бостандыкский\nмедеуский")
        assert districts_of(record.id) == ["Бостандыкский", "Медеуский"]


def test_changing_the_districts_rewrites_their_rows(app, make_user):
    agent = make_user("agent")
    with app.test_request_context():
        records = api.Records(demand.KEY, agent)
        record = add_demand(agent)
        records.update(record, {"districts": "Алмалинский"}, None)
        assert districts_of(record.id) == ["Алмалинский"]


def test_a_demand_naming_no_district_takes_any(app, make_user):
    agent = make_user("agent")
    with app.test_request_context():
        record = add_demand(agent, districts="")
        assert record.districts is None and districts_of(record.id) == []


def test_the_summary_reads_without_words(app, make_user):
    agent = make_user("agent")
    with app.test_request_context():
        record = add_demand(agent)
        assert record.summary == "Алматы, Медеуский, Бостандыкский · 2–3 · 50–80\u00a0㎡ · ≤\u00a045\u00a0000\u00a0000\u00a0KZT"


def test_a_demand_must_be_about_a_person_or_a_lead(app, make_user):
    agent = make_user("agent")
    with app.test_request_context():
        try:
            api.Records(demand.KEY, agent).create(dict(WANT))
        except api.Invalid as error:
            assert "person_id" in error.fields
        else:
            raise AssertionError("a demand about nobody was saved")


def test_a_range_upside_down_is_refused_on_its_upper_end(app, make_user):
    agent = make_user("agent")
    with app.test_request_context():
        try:
            add_demand(agent, budget_min="50000000", budget_max="40000000")
        except api.Invalid as error:
            assert list(error.fields) == ["budget_max"]
        else:
            raise AssertionError("a budget from 50 M up to 40 M was saved")


def test_the_person_page_shows_their_demands_and_the_form(app, make_user, client_for):
    agent = make_user("agent")
    with app.test_request_context():
        person_id = add_person(agent)
        add_demand(agent, person_id=person_id)
    page = client_for(agent).get(f"/person/{person_id}").get_data(as_text=True)
    assert "Алматы, Медеуский, Бостандыкский" in page and 'action="/real-estate/demands/new"' in page


def test_the_panel_form_saves_a_demand_with_the_districts_ticked(app, make_user, client_for):
    agent = make_user("agent")
    client = client_for(agent)
    with app.test_request_context():
        person_id = add_person(agent)
    from crmkit.testing import csrf_token
    token = csrf_token(client, f"/person/{person_id}")
    response = client.post("/real-estate/demands/new", data={
        "csrf_token": token, "about": "person", "about_id": person_id, "deal_type": "sale", "kind": "apartment",
        "city": "Алматы", "districts": ["Медеуский", "Алмалинский"], "other_districts": "Турксибский",
        "budget_max": "30000000", "currency": "KZT"})
    assert response.status_code == 302
    with app.test_request_context():
        found = api.Records(demand.KEY, agent).list()
        assert [d.districts for d in found] == ["Медеуский\nАлмалинский\nТурксибский"]


def test_the_panel_form_answers_a_mistake_with_the_field_marked(app, make_user, client_for):
    agent = make_user("agent")
    client = client_for(agent)
    with app.test_request_context():
        person_id = add_person(agent)
    from crmkit.testing import csrf_token
    token = csrf_token(client, f"/person/{person_id}")
    response = client.post("/real-estate/demands/new", data={
        "csrf_token": token, "about": "person", "about_id": person_id, "deal_type": "sale", "kind": "apartment",
        "city": "", "rooms_min": "4", "rooms_max": "2"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and page.count('class="errors"') >= 3


def test_a_lead_s_page_shows_the_demand_it_came_with(app, make_user, client_for):
    agent = make_user("agent")
    with app.test_request_context():
        lead = api.Records("lead", agent).create({"name": "Ерлан", "request": "Ищет квартиру в Медеуском"})
        api.Records(demand.KEY, agent).create({**WANT, "lead_id": lead.id})
    page = client_for(agent).get(f"/lead/{lead.id}").get_data(as_text=True)
    assert "Алматы, Медеуский, Бостандыкский" in page and 'name="about" value="lead"' in page


def test_posting_the_form_about_someone_unseen_is_not_found(app, make_user, client_for):
    owner, stranger = make_user("agent"), make_user("agent")
    with app.test_request_context():
        person_id = add_person(owner)
    client = client_for(stranger)
    from crmkit.testing import csrf_token
    token = csrf_token(client, "/")
    response = client.post("/real-estate/demands/new", data={
        "csrf_token": token, "about": "person", "about_id": person_id, "deal_type": "sale", "kind": "apartment",
        "city": "Алматы"})
    assert response.status_code == 404


def test_the_api_takes_the_districts_as_a_list(app, api_client, make_user):
    client = api_client("agent")
    person = client.post("/api/v1/person", json={"name": "Дана"}).get_json()
    response = client.post("/api/v1/real_estate/demand", json={
        "person_id": person["id"], "deal_type": "rent", "kind": "apartment", "city": "Астана",
        "districts": ["Есиль", "Нура"], "budget_max": "350000"})
    assert response.status_code == 201, response.get_json()
    with app.test_request_context():
        assert districts_of(response.get_json()["id"]) == ["Есиль", "Нура"]
