"""Where agents and managers find objects: the section page and its views (mine, my team's, all,
the archive) as the visibility rules already work, and the call card's objects asked about."""

from objects_helpers import create



def rows(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_navigation_leads_an_agent_to_the_real_estate_section(app, make_user, client_for):
    client = client_for(make_user("agent"))
    assert 'href="/real-estate/"' in rows(client, "/")
    page = rows(client, "/real-estate/")
    assert "owner_id=me" in page and "owner_id=team" in page and "archived=1" in page


def test_my_objects_lists_only_the_agents_own(app, make_user, client_for, api_client):
    mine, other = make_user("agent"), make_user("agent")
    own = create(api_client(mine), street="Own street")
    create(api_client(other), street="Other street")
    page = rows(client_for(mine), "/real_estate/property/?owner_id=me")
    assert own["number"] in page and "Other street" not in page


def test_my_teams_objects_lists_the_subordinates_objects(app, make_user, client_for, api_client):
    manager = make_user("manager", department="Sales")  # a manager sees the department's records
    junior = make_user("agent", manager=manager, department="Sales")
    outsider = make_user("agent", department="Sales")
    theirs = create(api_client(junior))
    foreign = create(api_client(outsider))
    page = rows(client_for(manager), "/real_estate/property/?owner_id=team")
    assert theirs["number"] in page and foreign["number"] not in page


def test_an_agent_never_sees_another_agents_objects_in_all_objects(app, make_user, client_for, api_client):
    mine, other = make_user("agent"), make_user("agent")
    hidden = create(api_client(other))
    assert hidden["number"] not in rows(client_for(mine), "/real_estate/property/")
    assert client_for(mine).get(f"/real_estate/property/{hidden['id']}").status_code == 404


def test_the_archive_lists_archived_objects_the_list_does_not(app, make_user, client_for, api_client):
    agent = make_user("manager")  # agents may not archive
    gone = create(api_client(agent))
    response = api_client(agent).delete(f"/api/v1/real_estate/property/{gone['id']}", headers={"If-Match": str(gone["version"])})
    assert response.status_code in (200, 204)
    client = client_for(agent)
    assert gone["number"] not in rows(client, "/real_estate/property/")
    assert gone["number"] in rows(client, "/real_estate/property/?archived=1")


def test_the_call_card_shows_the_objects_the_caller_asked_about(app, make_user, api_client):
    agent = make_user("agent")
    client = api_client(agent)
    flat = create(client, street="Abay avenue")
    person = client.post("/api/v1/person", json={"name": "Dana Buyer", "phone": "+77011234567"}).get_json()
    call = client.post("/api/v1/activity", json={"kind": "call", "subject": "Asked about a flat",
                                                 "happened_at": "2026-03-02T10:00:00+00:00",
                                                 "about_entity": "person", "about_id": person["id"],
                                                 "inventory": {"items": [flat["number"]]}})
    assert call.status_code == 201, call.get_json()
    found = client.get("/api/v1/lookup", query_string={"phone": "+77011234567"}).get_json()["matches"][0]
    [(label, objects)] = found["extras"]["real_estate"].items()
    assert objects[0]["number"] == flat["number"] and "Abay avenue" in objects[0]["object"]



def test_the_section_speaks_russian_and_kazakh(app, make_user, client_for):
    assert "Мои объекты" in rows(client_for(make_user("agent", locale="ru")), "/real-estate/")
    assert "Менің нысандарым" in rows(client_for(make_user("agent", locale="kk")), "/real-estate/")


def test_an_objects_page_offers_to_log_a_call_or_a_showing_about_it(app, make_user, client_for, api_client):
    agent = make_user("agent")
    flat = create(api_client(agent))
    client = client_for(agent)
    page = rows(client, f"/real_estate/property/{flat['id']}")
    assert f"/activity/new?kind=meeting&amp;inventory.items={flat['number']}" in page
    form = rows(client, f"/activity/new?kind=meeting&inventory.items={flat['number']}")
    assert f'name="inventory.items" value="{flat["number"]}"' in form
