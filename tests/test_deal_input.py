"""What a deal takes over the API, as the OpenAPI document describes it: money as a number or a
decimal text with at most two places, never rounded; competitors as a JSON list of numbers."""

import pytest

from crmkit import db
from crmkit.core.pipelines.setup import create_pipeline
from tests.conftest import add_user, token_client

API = "/api/v1/deal"


@pytest.fixture
def api(make_app):
    app = make_app(CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")
    add_user(app, is_admin=True, name="Admin")
    with app.app_context():
        create_pipeline(db.session(), {"en": "Sales"})
    return token_client(app)


@pytest.mark.parametrize("amount", [12500.5, "12500.50", 12500, "1000000000000000.00"])
def test_an_amount_is_a_number_or_a_decimal_text(api, amount):
    response = api.post(API, json={"title": "Flat", "pipeline_id": 1, "amount": amount})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["amount"] in ("12500.50", "12500.00", "1000000000000000.00")


@pytest.mark.parametrize("amount", [0.125, "0.125", 1e-7, " 12", "1e3", "-5", True])
def test_an_amount_of_more_than_two_places_or_not_a_plain_decimal_is_refused(api, amount):
    response = api.post(API, json={"title": "Flat", "pipeline_id": 1, "amount": amount})
    assert response.status_code == 422 and list(response.get_json()["error"]["fields"]) == ["amount"]
    assert api.get(API).get_json()["total"] == 0


@pytest.mark.parametrize("competitors", ["", "1,2", [1.5], [True], ["1"], {}])
def test_competitors_come_as_a_json_list_of_numbers(api, competitors):
    response = api.post(API, json={"title": "Flat", "pipeline_id": 1, "competitor_ids": competitors})
    assert response.status_code == 422 and list(response.get_json()["error"]["fields"]) == ["competitor_ids"]


def test_a_change_of_pipeline_alone_is_refused_naming_the_new_pipelines_stages(api):
    with api.application.app_context():
        create_pipeline(db.session(), {"en": "Rentals"})
    deal = api.post(API, json={"title": "Flat", "pipeline_id": 1}).get_json()
    response = api.patch(f"{API}/{deal['id']}", json={"pipeline_id": 2}, headers={"If-Match": '"1"'})
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert list(error["fields"]) == ["stage_id"] and [s["key"] for s in error["allowed"]] == ["6", "7", "8", "9", "10"]
    moved = api.patch(f"{API}/{deal['id']}", json={"pipeline_id": 2, "stage_id": 7}, headers={"If-Match": '"1"'})
    assert moved.status_code == 200 and (moved.get_json()["pipeline_id"], moved.get_json()["stage_id"]) == (2, 7)
