"""The OpenAPI document: built from the entities' schemas, valid, browsable without a CDN, and
schemathesis, generating requests from it against the real app, finds no server error."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
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
    assert {"status", "due__gte", "due__lte", "name__prefix", "sort", "after", "before", "limit", "q"} <= params


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


def test_schemathesis_finds_no_server_error(app, headers):
    schema = schemathesis.openapi.from_wsgi(SPEC, app, headers=dict(headers))
    client = app.test_client()
    client.post("/api/v1/projects/project", json={"name": "Seed"}, headers=headers)
    operations = [result.ok() for result in schema.get_all_operations()]
    project_operations = [o for o in operations if o.path.startswith("/api/v1/projects/project")]
    assert len(project_operations) == 7  # list, create, get, patch, delete, restore, history
    failures = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=10, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def check(case):
            response = case.call(headers=headers)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {case.query} {case.body!r}: {response.status_code}")

        check()
    assert failures == []
