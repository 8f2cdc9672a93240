"""Complaints as their users meet them: through the workflow, with a deadline that makes them
overdue, customers and deals they are about, a responsible person, a cost in tenge, and their
own words in Russian and Kazakh."""

from datetime import timedelta

import pytest

from crmkit.testing import csrf_token

URL = "/api/v1/complaints/complaint"


def create(client, **fields):
    response = client.post(URL, json={"title": "Broken seal on delivery", **fields})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def change(client, complaint, **fields):
    return client.patch(f"{URL}/{complaint['id']}", json={"version": complaint["version"], **fields})


def test_a_complaint_goes_from_new_through_investigation_and_corrective_action_to_resolved(api_client):
    agent = api_client("agent")
    complaint = create(agent)
    assert complaint["status"] == "new"
    for fields in (
        {"status": "investigating"},
        {"status": "awaiting_action", "root_cause": "delivery", "corrective_action": "Pack seals in foam"},
        {"status": "resolved", "resolution": "Replaced the part"},
    ):
        response = change(agent, complaint, **fields)
        assert response.status_code == 200, response.get_json()
        complaint = response.get_json()
    assert complaint["status"] == "resolved"


def test_a_move_the_workflow_does_not_allow_is_refused_naming_the_allowed_ones(api_client):
    agent = api_client("agent")
    response = change(agent, create(agent), status="awaiting_action", root_cause="product", corrective_action="x")
    assert response.status_code == 422
    assert {state["key"] for state in response.get_json()["error"]["allowed"]} == {"investigating", "rejected"}


def test_corrective_action_needs_the_root_cause_and_the_action(api_client):
    agent = api_client("agent")
    complaint = change(agent, create(agent), status="investigating").get_json()
    response = change(agent, complaint, status="awaiting_action")
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"root_cause", "corrective_action"}


@pytest.mark.parametrize("closing", ["resolved", "rejected"])
def test_closing_needs_a_resolution(api_client, closing):
    agent = api_client("agent")
    complaint = change(agent, create(agent), status="investigating").get_json()
    refused = change(agent, complaint, status=closing)
    assert refused.status_code == 422 and "resolution" in refused.get_json()["error"]["fields"]
    assert change(agent, complaint, status=closing, resolution="Explained the warranty").status_code == 200


def test_a_complaint_past_its_deadline_is_overdue_until_it_is_closed(api_client, app, frozen_clock):
    from crmkit_complaints import hooks

    agent = api_client("agent")
    complaint = create(agent, deadline=(frozen_clock.now() + timedelta(days=2)).date().isoformat())
    assert complaint["overdue"] is False
    frozen_clock.tick(timedelta(days=3))
    with app.app_context():
        hooks.mark_overdue_hourly()  # what the worker runs every hour
    complaint = agent.get(f"{URL}/{complaint['id']}").get_json()
    assert complaint["overdue"] is True
    complaint = change(agent, complaint, status="rejected", resolution="Not our product").get_json()
    assert complaint["overdue"] is False


def test_a_deadline_already_past_is_overdue_at_once(api_client, frozen_clock):
    yesterday = (frozen_clock.now() - timedelta(days=1)).date().isoformat()
    assert create(api_client("agent"), deadline=yesterday)["overdue"] is True


def test_overdue_is_computed_and_never_taken_as_input(api_client):
    response = api_client("agent").post(URL, json={"title": "Late", "overdue": True})
    assert response.status_code in (400, 422) and "overdue" in response.get_json()["error"]["fields"]


def test_the_cost_is_kept_exactly_in_tenge(api_client):
    agent = api_client("agent")
    assert create(agent, cost="125000.50")["cost"] == "125000.50"
    assert agent.post(URL, json={"title": "x", "cost": "10.005"}).status_code == 422
    assert agent.post(URL, json={"title": "x", "cost": "-1"}).status_code == 422


def test_the_customer_deal_and_responsible_are_records_the_user_sees(api_client, make_user):
    admin, agent = api_client("admin"), api_client("agent")
    theirs = admin.post("/api/v1/organization", json={"name": "Someone else's client"}).get_json()
    refused = agent.post(URL, json={"title": "x", "organization_id": theirs["id"]})
    assert refused.status_code == 422 and "organization_id" in refused.get_json()["error"]["fields"]
    own = agent.post("/api/v1/organization", json={"name": "Асем Трейд"}).get_json()
    investigator = make_user("agent", name="Dana Investigator")
    complaint = create(agent, organization_id=own["id"], responsible_id=investigator.id)
    assert (complaint["organization_id"], complaint["responsible_id"]) == (own["id"], investigator.id)


def test_an_agent_sees_only_their_own_complaints(api_client):
    first, second = api_client("agent"), api_client("agent")
    complaint = create(first)
    assert second.get(f"{URL}/{complaint['id']}").status_code == 404
    assert second.get(URL).get_json()["items"] == []


def test_the_list_page_shows_overdue_complaints_and_filters_them(client_for, api_client, make_user, frozen_clock):
    agent = make_user("agent")
    yesterday = (frozen_clock.now() - timedelta(days=1)).date().isoformat()
    create(api_client(agent), title="Late answer", deadline=yesterday)
    create(api_client(agent), title="On time")
    page = client_for(agent).get("/complaints/complaint/?overdue=true").get_data(as_text=True)
    assert "Late answer" in page and "On time" not in page


def test_a_form_saves_a_complaint(client_for):
    client = client_for("agent")
    form = {"csrf_token": csrf_token(client, "/complaints/complaint/new"), "title": "Wrong invoice", "cost": "1500"}
    saved = client.post("/complaints/complaint/new", data=form)
    assert saved.status_code == 302
    assert "Wrong invoice" in client.get(saved.location).get_data(as_text=True)


def test_its_labels_are_its_own_and_the_cores_stay_the_cores(client_for, make_user):
    russian = make_user("agent", locale="ru")
    client = client_for(russian)
    create_button = client.get("/person/").get_data(as_text=True)
    page = client.get("/complaints/complaint/new").get_data(as_text=True)
    assert "Рекламации" in page and "Ответственный" in page and "Новая" in page
    assert "Создать" in create_button  # the core's "New", though the plugin says "New" too


def test_it_speaks_kazakh(client_for, make_user):
    page = client_for(make_user("agent", locale="kk")).get("/complaints/complaint/new").get_data(as_text=True)
    assert "Рекламациялар" in page and "Жауапты" in page


def test_the_list_offers_its_overdue_complaints(client_for):
    page = client_for("agent").get("/complaints/complaint/").get_data(as_text=True)
    assert 'href="/complaints/complaint/?overdue=true"' in page


def test_imported_complaints_past_their_deadline_are_overdue(runner, make_user, api_client, frozen_clock, tmp_path):
    manager = make_user("manager")  # managers may import
    yesterday = (frozen_clock.now() - timedelta(days=1)).date().isoformat()
    rows = ["title,deadline,root_cause", f"Dented case,{yesterday},product", "Late delivery,,delivery"]
    path = tmp_path / "complaints.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = runner.invoke(args=["import", "complaints.complaint", str(path), "--as", manager.email])
    assert result.exit_code == 0, result.output
    found = {c["title"]: c["overdue"] for c in api_client(manager).get(URL).get_json()["items"]}
    assert found == {"Dented case": True, "Late delivery": False}


def test_a_customers_page_lists_its_complaints_and_registers_one_about_it(client_for, api_client, make_user):
    agent = make_user("agent", locale="en")
    customer = api_client(agent).post("/api/v1/organization", json={"name": "Asem Trade"}).get_json()
    create(api_client(agent), title="Seal broken", organization_id=customer["id"])
    page = client_for(agent).get(f"/organization/{customer['id']}").get_data(as_text=True)
    assert "Seal broken" in page and "· New</span>" in page  # its state, in the plugin's words
    assert f'href="/complaints/complaint/new?organization_id={customer["id"]}"' in page
