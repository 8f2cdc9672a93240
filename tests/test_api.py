"""The REST API every entity gets: CRUD, lists, locking, errors, permissions and CSRF, over HTTP."""

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest

from crmkit import db
from crmkit.core.api.tokens import create_token
from crmkit.core.auth.service import find_user
from crmkit.entities import listing
from tests.conftest import add_user, csrf_token, login
from tests.plugins.projects import hooks as projects

URL = "/api/v1/projects/project"
AGENT_EMAIL, AGENT_PASSWORD = "agent@example.com", "a long agent passphrase"


@pytest.fixture
def app(make_app):
    return make_app(plugins=[projects], CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")


def token_for(app, email):
    with app.app_context():
        return create_token(db.session(), find_user(db.session(), email), "tests")[1]


@pytest.fixture
def api(app):
    """A client that calls the API as an admin with a bearer token."""
    add_user(app, is_admin=True, name="Admin")
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token_for(app, 'admin@example.com')}"
    return client


@pytest.fixture
def agent(app, api):
    add_user(app, AGENT_EMAIL, AGENT_PASSWORD, role="agent")
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token_for(app, AGENT_EMAIL)}"
    return client


def create(client, **fields):
    response = client.post(URL, json={"name": "Apartment sale", **fields})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def names(response):
    return [item["name"] for item in response.get_json()["items"]]


def test_creating_a_record_answers_201_with_the_record_and_where_it_lives(api):
    response = api.post(URL, json={"name": "Flat", "budget": "1500.50", "due": "2026-12-31"})
    body = response.get_json()
    assert response.status_code == 201
    assert response.headers["Location"] == f"{URL}/{body['id']}"
    assert body["name"] == "Flat" and body["budget"] == "1500.50" and body["due"] == "2026-12-31"
    assert body["version"] == 1 and body["owner_id"] == 1 and body["archived_at"] is None
    assert {"created_at", "updated_at"} <= set(body)


def test_getting_a_record_gives_its_fields_and_its_version_as_etag(api):
    record = create(api)
    response = api.get(f"{URL}/{record['id']}")
    assert response.get_json() == record
    assert response.headers["ETag"] == '"1"'


def test_patch_with_the_version_read_changes_only_the_fields_sent(api):
    record = create(api, status="active")
    response = api.patch(f"{URL}/{record['id']}", json={"name": "Renamed"}, headers={"If-Match": '"1"'})
    assert response.status_code == 200
    assert response.get_json()["name"] == "Renamed" and response.get_json()["status"] == "active"
    assert response.get_json()["version"] == 2


def test_patch_takes_the_version_from_the_body_too(api):
    record = create(api)
    assert api.patch(f"{URL}/{record['id']}", json={"name": "New", "version": 1}).status_code == 200


def test_patch_without_a_version_is_refused_with_428(api):
    record = create(api)
    response = api.patch(f"{URL}/{record['id']}", json={"name": "New"})
    assert response.status_code == 428
    assert "version" in response.get_json()["error"]["fields"]


def test_a_stale_patch_gets_409_with_the_current_record_and_overwrites_nothing(api):
    record = create(api)
    api.patch(f"{URL}/{record['id']}", json={"name": "First"}, headers={"If-Match": '"1"'})
    stale = api.patch(f"{URL}/{record['id']}", json={"name": "Second"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 409
    assert stale.get_json()["error"]["current"]["name"] == "First"
    assert api.get(f"{URL}/{record['id']}").get_json()["name"] == "First"


def test_two_concurrent_edits_of_one_record_give_one_200_and_one_409(app, api):
    record = create(api)
    clients = [api, app.test_client()]
    clients[1].environ_base.update(api.environ_base)
    start = Barrier(2)

    def edit(pair):
        client, name = pair
        start.wait()
        return client.patch(f"{URL}/{record['id']}", json={"name": name}, headers={"If-Match": '"1"'}).status_code

    with ThreadPoolExecutor(2) as pool:
        codes = sorted(pool.map(edit, zip(clients, ["One", "Two"])))
    assert codes == [200, 409]
    assert api.get(f"{URL}/{record['id']}").get_json()["version"] == 2


def test_delete_archives_and_restore_brings_the_record_back(api):
    record = create(api, name="Old deal")
    archived = api.delete(f"{URL}/{record['id']}", headers={"If-Match": '"1"'})
    assert archived.status_code == 200 and archived.get_json()["archived_at"] is not None
    assert names(api.get(URL)) == []
    assert names(api.get(f"{URL}?archived=true")) == ["Old deal"]
    restored = api.post(f"{URL}/{record['id']}/restore")
    assert restored.status_code == 200 and restored.get_json()["archived_at"] is None
    assert names(api.get(URL)) == ["Old deal"]


def test_history_lists_each_change_newest_first(api):
    record = create(api, name="Before")
    api.patch(f"{URL}/{record['id']}", json={"name": "After"}, headers={"If-Match": "1"})
    items = api.get(f"{URL}/{record['id']}/history").get_json()["items"]
    assert [i["action"] for i in items] == ["update", "create"]
    assert items[0]["changes"] == {"name": ["Before", "After"]}


def test_the_list_filters_by_declared_fields_and_operators(api):
    create(api, name="Early", due="2026-01-10")
    create(api, name="Middle", due="2026-06-10", status="active")
    create(api, name="Late", due="2026-12-10")
    assert names(api.get(f"{URL}?status=active")) == ["Middle"]
    assert sorted(names(api.get(f"{URL}?due__gte=2026-06-01"))) == ["Late", "Middle"]
    assert names(api.get(f"{URL}?due__lte=2026-02-01")) == ["Early"]
    assert names(api.get(f"{URL}?name__prefix=Mid")) == ["Middle"]


def test_the_list_refuses_an_undeclared_filter_naming_it(api):
    response = api.get(f"{URL}?budget=10&sort=contact_email")
    assert response.status_code == 400
    assert set(response.get_json()["error"]["fields"]) == {"budget", "sort"}


def test_the_list_sorts_by_a_declared_key_either_way(api):
    for name in ("b", "c", "a"):
        create(api, name=name)
    assert names(api.get(f"{URL}?sort=name")) == ["a", "b", "c"]
    assert names(api.get(f"{URL}?sort=-name")) == ["c", "b", "a"]


def test_the_list_counts_up_to_the_cap_and_says_when_there_are_more(api, monkeypatch):
    monkeypatch.setattr(listing, "COUNT_CAP", 3)
    for number in range(4):
        create(api, name=f"Project {number}")
    body = api.get(URL).get_json()
    assert (body["total"], body["total_capped"], len(body["items"])) == (3, True, 4)
    body = api.get(f"{URL}?name__prefix=Project%201").get_json()
    assert (body["total"], body["total_capped"]) == (1, False)


def test_the_list_pages_forward_and_back_by_cursor_links(api):
    for number in range(7):
        create(api, name=f"Project {number}")
    seen, url, pages = [], f"{URL}?sort=name&limit=3", []
    while url:
        body = api.get(url).get_json()
        pages.append(body)
        seen += names_of(body)
        url = body["next"]
    assert seen == [f"Project {n}" for n in range(7)]
    assert pages[0]["prev"] is None and pages[0]["total"] == 7
    assert names_of(api.get(pages[-1]["prev"]).get_json()) == ["Project 3", "Project 4", "Project 5"]


def names_of(body):
    return [item["name"] for item in body["items"]]


def test_q_searches_the_declared_search_fields(api):
    create(api, name="Ivanov apartment", contact_email="ivanov@example.com")
    create(api, name="Petrov house")
    assert names(api.get(f"{URL}?q=ivanov")) == ["Ivanov apartment"]


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "Length must be between 1 and 200."), ("ru", "Длина должна быть от 1 до 200.")],
)
def test_invalid_input_gets_422_with_a_message_per_field_in_the_callers_language(api, language, expected):
    response = api.post(URL, json={"name": "", "budget": "-5", "contact_email": "nope"}, headers={"Accept-Language": language})
    error = response.get_json()["error"]
    assert response.status_code == 422 and error["code"] == 422
    assert set(error["fields"]) == {"name", "budget", "contact_email"}
    assert error["fields"]["name"] == [expected]


def test_unknown_fields_are_refused_not_ignored(api):
    response = api.post(URL, json={"name": "x", "owner_id": 5})
    assert response.status_code == 422 and "owner_id" in response.get_json()["error"]["fields"]


def test_a_body_that_is_not_a_json_object_is_422(api):
    response = api.post(URL, data="[1, 2]", content_type="application/json")
    assert response.status_code == 422 and response.get_json()["error"]["fields"]


def test_without_a_session_or_token_the_api_answers_401_in_the_error_format(app):
    response = app.test_client().get(URL)
    assert response.status_code == 401
    assert set(response.get_json()["error"]) == {"code", "message", "fields"}
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_token_is_401(app, api):
    client = app.test_client()
    assert client.get(URL, headers={"Authorization": "Bearer crmkit_wrong"}).status_code == 401


def test_an_agent_gets_403_for_archiving_which_the_role_lacks(api, agent):
    record = create(agent)
    response = agent.delete(f"{URL}/{record['id']}")
    assert response.status_code == 403 and response.get_json()["error"]["code"] == 403


def test_an_agent_gets_404_for_records_they_may_not_see_and_never_lists_them(api, agent):
    hidden = create(api, name="Admin project")
    create(agent, name="Agent project")
    assert names(agent.get(URL)) == ["Agent project"]
    assert agent.get(f"{URL}/{hidden['id']}").status_code == 404
    assert agent.patch(f"{URL}/{hidden['id']}", json={"name": "x"}, headers={"If-Match": "1"}).status_code == 404
    assert api.get(f"{URL}/{hidden['id']}").get_json()["name"] == "Admin project"


def test_a_missing_record_is_404_in_the_error_format(api):
    for record_id in (999, 2**40):
        response = api.get(f"{URL}/{record_id}")
        assert response.status_code == 404 and response.get_json()["error"]["code"] == 404


def test_session_writes_need_the_csrf_token_in_a_header(app, api):
    client = app.test_client()
    login(client)
    refused = client.post(URL, json={"name": "No token"})
    assert refused.status_code == 400 and "csrf_token" in refused.get_json()["error"]["fields"]
    token = csrf_token(client, "/projects/project/new")
    assert client.post(URL, json={"name": "With token"}, headers={"X-CSRFToken": token}).status_code == 201
    assert client.get(URL).status_code == 200  # reads need no token


def test_token_requests_need_no_csrf_token(api):
    assert api.post(URL, json={"name": "Scripted"}).status_code == 201


def test_a_value_too_big_for_its_column_gets_422_not_a_database_error(api):
    response = api.post(URL, json={"name": "Big", "budget": "1000000000000"}, headers={"Accept-Language": "ru"})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]["budget"] == ["Значение должно быть меньше 1000000000000."]


def test_text_with_a_nul_character_is_refused_before_the_database(api):
    assert api.post(URL, json={"name": "a\x00b"}).status_code == 422
    assert api.get(f"{URL}?name=a%00b").status_code == 400
