"""Every 4xx of the API names its fields the one way the OpenAPI document says: an object of
lists of messages in the caller's language, whichever layer refused the input (a field, a rule
across fields, a plugin's group of fields, a link, the body)."""

import jsonschema
import pytest

from crmkit import db
from crmkit.core.pipelines.setup import add_loss_reason, create_pipeline
from tests.conftest import add_user, token_client
from tests.plugins.projects import hooks as projects
from tests.plugins.scoring import hooks as scoring

API = "/api/v1"


@pytest.fixture
def api(make_app):
    app = make_app(plugins=[projects, scoring], CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")
    add_user(app, is_admin=True, name="Admin")
    with app.app_context():
        create_pipeline(db.session(), {"en": "Sales"})
        add_loss_reason(db.session(), {"en": "Price"})
    return token_client(app)


def error_of(response, status=422) -> dict:
    assert response.status_code == status, response.get_json()
    return response.get_json()["error"]


def test_a_rule_across_fields_answers_a_list_of_messages_in_the_callers_language(api):
    response = api.post(f"{API}/activity", json={"kind": "meeting"}, headers={"Accept-Language": "ru"})
    fields = error_of(response)["fields"]
    assert list(fields) == ["happened_at"] and isinstance(fields["happened_at"], list)
    assert fields["happened_at"] != ["A meeting or a task needs a date and time."]
    assert all(isinstance(message, str) and message for message in fields["happened_at"])


def test_a_rule_across_a_deals_fields_answers_a_list_of_messages(api):
    response = api.post(f"{API}/deal", json={"title": "Flat", "pipeline_id": 1, "stage_id": 5})
    assert error_of(response)["fields"] == {"loss_reason_id": ["Required in the state Lost."]}


def test_a_groups_field_is_named_group_dot_field(api):
    response = api.post(f"{API}/projects/project", json={"name": "Flat", "scoring": {"score": 5.5}})
    assert error_of(response)["fields"] == {"scoring.score": ["Not a valid integer."]}


@pytest.mark.parametrize(("path", "body", "status"), [
    ("activity", {"kind": "task"}, 422),
    ("activity", {"kind": "note", "ends_at": "2020-01-01", "happened_at": "2021-01-01"}, 422),
    ("activity", {"kind": "note", "about_entity": "person"}, 422),
    ("projects/project", {"name": "Flat", "scoring": {"score": "x"}}, 422),
    ("deal", {"title": "Flat", "pipeline_id": 1, "amount": "1.005", "competitor_ids": "1,2"}, 422),
    ("person", [], 422),
    ("person?sort=nothing", None, 400),
])
def test_every_error_answer_matches_the_error_in_the_document(api, path, body, status):
    document = api.get(f"{API}/openapi.json").get_json()
    error_schema = {**document["components"]["schemas"]["Error"], "components": document["components"]}
    response = api.post(f"{API}/{path}", json=body) if body is not None else api.get(f"{API}/{path}")
    assert response.status_code == status, response.get_json()
    jsonschema.validate(response.get_json(), error_schema)


def test_an_invalid_records_messages_are_keyed_as_a_form_posts_them():
    from crmkit.api import Invalid

    error = Invalid({"title": ["Required."], "inventory": {"items": ["Unknown object 7."]}, "amount": "Too big."})
    assert error.messages() == {"title": ["Required."], "inventory.items": ["Unknown object 7."], "amount": ["Too big."]}
