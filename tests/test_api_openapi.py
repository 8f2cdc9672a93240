"""The OpenAPI document: built from the entities' schemas, valid, browsable without a CDN, and
agreeing with the server: what it allows is accepted, what it forbids is refused
(tests/test_api_schemathesis.py checks the same with generated requests)."""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate

from crmkit import db
from crmkit.core.api.tokens import create_token
from crmkit.core.auth.service import find_user
from tests.conftest import ADMIN_EMAIL, add_user, login
from tests.plugins.projects import hooks as projects

SPEC = "/api/v1/openapi.json"


@pytest.fixture
def app(make_app):
    return make_app(plugins=[projects], CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")


@pytest.fixture
def headers(app):
    add_user(app, is_admin=True)
    with app.app_context():
        token = create_token(db.session(), find_user(db.session(), ADMIN_EMAIL), "openapi")[1]
    return {"Authorization": f"Bearer {token}"}


def test_the_openapi_document_is_valid_openapi_3(app, headers):
    document = app.test_client().get(SPEC, headers=headers).get_json()
    validate(document)
    assert document["openapi"].startswith("3.")


def test_the_document_describes_each_entity_from_its_schema(app, headers):
    document = app.test_client().get(SPEC, headers=headers).get_json()
    paths, schemas = document["paths"], document["components"]["schemas"]
    assert set(paths["/api/v1/projects/project"]) == {"get", "post"}
    assert set(paths["/api/v1/projects/project/{record_id}"]) >= {"get", "patch", "delete"}
    assert schemas["ProjectsProjectInput"]["properties"]["status"]["enum"] == ["planned", "active", "done"]
    assert {"id", "version", "owner_id", "archived_at"} <= set(schemas["ProjectsProject"]["properties"])
    params = {p["name"] for p in paths["/api/v1/projects/project"]["get"]["parameters"]}
    assert {"status", "due__gte", "due__lte", "name__prefix", "sort", "limit", "q", "archived"} <= params
    assert not {"after", "before"} & params  # cursors are opaque: followed from next and prev, never made up


def test_an_agent_sees_only_entities_they_may_view_in_the_document(app, headers):
    add_user(app, "agent@example.com", "a long agent passphrase", role="agent")
    client = app.test_client()
    login(client, "agent@example.com", "a long agent passphrase")
    assert "/api/v1/projects/project" in client.get(SPEC).get_json()["paths"]


def test_the_docs_page_serves_swagger_ui_from_the_installed_package(app, headers):
    client = app.test_client()
    login(client)
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "//" not in page.split("<body>")[0].replace("://", "")  # no CDN: every asset is ours
    assert 'data-spec="/api/v1/openapi.json"' in page
    bundle = client.get("/api/v1/docs/assets/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and b"SwaggerUIBundle" in bundle.data
    assert client.get("/api/v1/docs/assets/api-docs.js").status_code == 200


def test_the_document_needs_a_login(app):
    assert app.test_client().get(SPEC).status_code == 401


def document_of(app, headers):
    return app.test_client().get(SPEC, headers=headers).get_json()


@pytest.mark.parametrize("field", ["phone", "other_phones", "email", "other_emails", "iin", "website"])
def test_every_value_the_document_allows_for_a_contact_field_is_accepted(app, headers, field):
    pattern = document_of(app, headers)["components"]["schemas"]["PersonInput"]["properties"][field]["pattern"]
    client = app.test_client()

    @given(st.from_regex(pattern, fullmatch=True))
    @settings(max_examples=25, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    def accepted(value):
        response = client.post("/api/v1/person", json={"name": "Pattern", field: value}, headers=headers)
        assert response.status_code == 201, (value, response.get_json())

    accepted()


def test_the_bin_the_document_allows_is_accepted(app, headers):
    pattern = document_of(app, headers)["components"]["schemas"]["OrganizationInput"]["properties"]["bin"]["pattern"]
    number = re.search(r"\|([0-9]{10})\[0-9\]([0-9])", pattern).groups()
    response = app.test_client().post("/api/v1/organization", json={"name": "B", "bin": f"{number[0]}7{number[1]}"},
                                      headers=headers)
    assert response.status_code == 201, response.get_json()


def test_an_empty_website_is_refused_and_the_document_says_so(app, headers):
    prop = document_of(app, headers)["components"]["schemas"]["PersonInput"]["properties"]["website"]
    assert not re.search(prop["pattern"], "")
    response = app.test_client().post("/api/v1/person", json={"name": "W", "website": ""}, headers=headers)
    assert response.status_code == 422 and "website" in response.get_json()["error"]["fields"]


def test_a_filter_longer_than_its_documented_max_length_is_refused(app, headers):
    params = document_of(app, headers)["paths"]["/api/v1/person"]["get"]["parameters"]
    longest = next(p for p in params if p["name"] == "name")["schema"]["maxLength"]
    response = app.test_client().get(f"/api/v1/person?name={'a' * (longest + 1)}", headers=headers)
    assert response.status_code == 400 and "name" in response.get_json()["error"]["fields"]
    assert app.test_client().get(f"/api/v1/person?name={'a' * longest}", headers=headers).status_code == 200


@pytest.mark.parametrize("value", ["AAA", "2", "yes", ""])
def test_a_boolean_filter_takes_only_what_the_document_calls_a_boolean(app, headers, value):
    response = app.test_client().get(f"/api/v1/person?is_client={value}", headers=headers)
    assert response.status_code == 400 and "is_client" in response.get_json()["error"]["fields"]


def test_a_filter_given_twice_is_refused(app, headers):
    response = app.test_client().get("/api/v1/person?is_client=true&is_client=false", headers=headers)
    assert response.status_code == 400 and "is_client" in response.get_json()["error"]["fields"]


def test_a_date_filter_outside_the_documented_form_is_refused(app, headers):
    client = app.test_client()
    assert client.get("/api/v1/projects/project?due__gte=2026-02-29", headers=headers).status_code == 400
    assert client.get("/api/v1/projects/project?due__gte=2028-02-29", headers=headers).status_code == 200


def test_if_match_is_documented_as_required_with_the_etag_form_the_server_reads(app, headers):
    item = document_of(app, headers)["paths"]["/api/v1/person/{record_id}"]
    for method in ("patch", "delete"):
        if_match = next(p for p in item[method]["parameters"] if p["name"] == "If-Match")
        assert if_match["required"] is True
        assert re.search(if_match["schema"]["pattern"], '"3"') and not re.search(if_match["schema"]["pattern"], "abc")
    assert "version" not in document_of(app, headers)["components"]["schemas"]["PersonPatch"]["properties"]


def test_a_link_field_is_marked_with_the_entity_it_names(app, headers):
    prop = document_of(app, headers)["components"]["schemas"]["PersonInput"]["properties"]["organization_id"]
    assert prop["x-crmkit-link"] == "organization" and prop["minimum"] == 1


def test_a_405_names_the_allowed_methods(app, headers):
    response = app.test_client().put("/api/v1/person", headers=headers)
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


def test_the_about_pair_is_documented_as_both_or_neither(app, headers):
    activity = document_of(app, headers)["components"]["schemas"]["ActivityInput"]
    pair = next(rule["anyOf"] for rule in activity["allOf"] if "about_id" in rule.get("description", ""))
    neither, both = pair
    assert neither["properties"]["about_id"] == {"enum": [None]}
    assert both["required"] == ["about_entity", "about_id"] and "person" in both["properties"]["about_entity"]["enum"]
    client = app.test_client()
    person = client.post("/api/v1/person", json={"name": "About"}, headers=headers).get_json()["id"]
    half = client.post("/api/v1/activity", json={"kind": "note", "about_entity": "person"}, headers=headers)
    assert half.status_code == 422
    whole = {"kind": "note", "about_entity": "person", "about_id": person}
    assert client.post("/api/v1/activity", json=whole, headers=headers).status_code == 201


def test_a_meeting_without_a_date_is_refused_as_the_document_says(app, headers):
    activity = document_of(app, headers)["components"]["schemas"]["ActivityInput"]
    rule = next(rule["anyOf"] for rule in activity["allOf"] if "meeting" in rule.get("description", ""))
    assert "meeting" not in rule[0]["properties"]["kind"]["enum"] and rule[1]["required"] == ["happened_at"]
    response = app.test_client().post("/api/v1/activity", json={"kind": "meeting"}, headers=headers)
    assert response.status_code == 422 and "happened_at" in response.get_json()["error"]["fields"]


def test_a_moment_filter_in_the_documented_form_is_accepted(app, headers):
    client = app.test_client()
    client.post("/api/v1/activity", json={"kind": "call", "happened_at": "2026-03-01T10:00:00+05:00"}, headers=headers)
    found = client.get("/api/v1/activity?happened_at__gte=2026-03-01T05:00Z", headers=headers)
    assert found.status_code == 200 and found.get_json()["total"] == 1
    later = client.get("/api/v1/activity?happened_at__gte=2026-03-01T05:00:01Z", headers=headers)
    assert later.status_code == 200 and later.get_json()["total"] == 0
    assert client.get("/api/v1/activity?happened_at__gte=2026-03-01", headers=headers).status_code == 400


@pytest.mark.parametrize("value", [0, 1, "yes", "on"])
def test_a_boolean_field_in_json_takes_only_true_or_false(app, headers, value):
    assert document_of(app, headers)["components"]["schemas"]["PersonInput"]["properties"]["is_client"]["type"] == "boolean"
    response = app.test_client().post("/api/v1/person", json={"name": "B", "is_client": value}, headers=headers)
    assert response.status_code == 422 and "is_client" in response.get_json()["error"]["fields"]


def test_text_with_a_nul_is_refused_and_the_document_says_so(app, headers):
    prop = document_of(app, headers)["components"]["schemas"]["PersonInput"]["properties"]["position"]
    assert not re.search(prop["pattern"], "a\x00b") and re.search(prop["pattern"], "Бухгалтер")
    response = app.test_client().post("/api/v1/person", json={"name": "N", "position": "a\x00b"}, headers=headers)
    assert response.status_code == 422


def test_a_user_filter_documents_exactly_the_ids_a_user_column_holds():
    import re

    from crmkit.core.api.query import USER_FILTER

    allowed = re.compile(USER_FILTER)
    assert allowed.match("me") and allowed.match("1") and allowed.match(str(2**31 - 1))
    assert not allowed.match(str(2**31)) and not allowed.match("0") and not allowed.match("1415015811509")
