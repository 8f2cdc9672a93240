"""Deals are seen as contacts are: an agent sees their own, a manager their department's, an
admin all; on the list, the record pages, the deal's own forms, search, export and the API. Moves
the workflow forbids are refused over the API with 422 naming the allowed stages; a stale move 409.

Sales (with Sales North under it) and Support are departments; the manager heads Sales, one agent
works in Sales North, another in Support. Each owns a deal.
"""

import pytest

from crmkit import db
from tests.conftest import csrf_token
from tests.people import client_as, matrix_staff
from tests.pipelining import acting_as, new_pipeline, new_reason

OWNERS = ("admin", "boss", "north", "support")
SEES = {"admin": set(OWNERS), "boss": {"boss", "north"}, "north": {"north"}, "support": {"support"}}


@pytest.fixture
def matrix(make_app):
    app = make_app(DEFAULT_LOCALE="en")
    matrix_staff(app)
    ids = new_pipeline(app)
    deals = {}
    for who in OWNERS:
        with acting_as(app, f"{who}@example.com") as records:
            deals[who] = records.create({"title": f"Matrix {who}", "pipeline_id": ids["pipeline"]}).id
    return app, deals, ids


def names_in(text):
    return {who for who in OWNERS if f"Matrix {who}" in text}


@pytest.mark.parametrize("who", OWNERS)
def test_the_deal_list_and_search_show_exactly_what_the_role_sees(matrix, who):
    app, _deals, _ids = matrix
    client = client_as(app, f"{who}@example.com")
    assert names_in(client.get("/deal/").get_data(as_text=True)) == SEES[who]
    assert names_in(client.get("/search?q=Matrix").get_data(as_text=True)) == SEES[who]


@pytest.mark.parametrize("who", OWNERS)
def test_deal_pages_and_their_forms_open_only_for_visible_deals(matrix, who):
    app, deals, _ids = matrix
    client = client_as(app, f"{who}@example.com")
    for owner, deal_id in deals.items():
        expected = 200 if owner in SEES[who] else 404
        for url in (f"/deal/{deal_id}", f"/deals/{deal_id}/won", f"/deals/{deal_id}/lost", f"/deals/{deal_id}/lines"):
            assert client.get(url).status_code == expected, (owner, url)


@pytest.mark.parametrize("who", OWNERS)
def test_the_api_lists_and_opens_exactly_what_the_role_sees(matrix, who):
    app, deals, _ids = matrix
    client = client_as(app, f"{who}@example.com")
    assert names_in(client.get("/api/v1/deal?limit=50").get_data(as_text=True)) == SEES[who]
    for owner, deal_id in deals.items():
        assert client.get(f"/api/v1/deal/{deal_id}").status_code == (200 if owner in SEES[who] else 404), owner


@pytest.mark.parametrize("who", ["admin", "boss"])
def test_export_holds_exactly_what_the_role_sees(matrix, who):
    app, _deals, _ids = matrix
    response = client_as(app, f"{who}@example.com").get("/transfer/deal/export?format=csv")
    assert response.status_code == 200 and names_in(response.get_data(as_text=True)) == SEES[who]


def test_an_agent_cannot_close_someone_elses_deal(matrix):
    app, deals, _ids = matrix
    client = client_as(app, "north@example.com")
    token = csrf_token(client, f"/deal/{deals['north']}")
    response = client.post(f"/deals/{deals['support']}/won", data={"csrf_token": token, "version": "1"})
    assert response.status_code == 404


def api_move(client, deal_id, token, **body):
    version = client.get(f"/api/v1/deal/{deal_id}").get_json()["version"]
    return client.patch(f"/api/v1/deal/{deal_id}", json={"version": version, **body}, headers={"X-CSRFToken": token})


def test_a_move_into_an_archived_stage_gets_422_naming_the_allowed_stages(matrix):
    app, deals, ids = matrix
    admin = client_as(app, "admin@example.com")
    token = csrf_token(admin, "/deal/new")
    with app.app_context():
        from crmkit.core.pipelines import setup
        from crmkit.core.pipelines.models import Stage

        setup.set_archived(db.session(), db.session().get(Stage, ids["Proposal"]), True)
    response = api_move(admin, deals["admin"], token, stage_id=ids["Proposal"])
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert [state["label"] for state in error["allowed"]] == ["Negotiation", "Won", "Lost"]
    assert error["fields"]["stage_id"] == ["Cannot move from Qualification to Proposal. Allowed: Negotiation, Won, Lost."]


def test_a_move_into_a_lost_stage_without_a_reason_gets_422_on_the_reason(matrix):
    app, deals, ids = matrix
    admin = client_as(app, "admin@example.com")
    token = csrf_token(admin, "/deal/new")
    response = api_move(admin, deals["admin"], token, stage_id=ids["Lost"])
    assert response.status_code == 422 and "loss_reason_id" in str(response.get_json())
    reason = new_reason(app)
    assert api_move(admin, deals["admin"], token, stage_id=ids["Lost"], loss_reason_id=reason).status_code == 200


def test_of_two_moves_from_the_same_version_one_succeeds_and_the_other_gets_409(matrix):
    app, deals, ids = matrix
    admin = client_as(app, "admin@example.com")
    token = csrf_token(admin, "/deal/new")
    version = admin.get(f"/api/v1/deal/{deals['admin']}").get_json()["version"]
    first = admin.patch(f"/api/v1/deal/{deals['admin']}", json={"version": version, "stage_id": ids["Proposal"]},
                        headers={"X-CSRFToken": token})
    second = admin.patch(f"/api/v1/deal/{deals['admin']}", json={"version": version, "stage_id": ids["Negotiation"]},
                         headers={"X-CSRFToken": token})
    assert (first.status_code, second.status_code) == (200, 409)
