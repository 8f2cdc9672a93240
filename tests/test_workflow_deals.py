"""Deals obey the framework's workflow over the API like any workflow entity: a stage of another
pipeline or an archived one is refused naming the stages allowed, a lost stage needs its reason,
a stale move is a 409, every move is a transition and the deal's page shows the time per stage."""

import re

import pytest
from sqlalchemy import select

from crmkit import db
from crmkit.core.pipelines import setup
from crmkit.core.pipelines.models import Stage
from crmkit.entities.transitions import Transition
from tests.conftest import csrf_token, login
from tests.pipelining import new_pipeline, new_reason
from tests.test_workflow import api_client

URL = "/api/v1/deal"


@pytest.fixture
def app(make_app):
    return make_app(CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")


@pytest.fixture
def api(app):
    return api_client(app, is_admin=True, name="Admin")


@pytest.fixture
def sales(app, api):
    return new_pipeline(app)


def new_deal(api, sales):
    response = api.post(URL, json={"title": "Cement", "pipeline_id": sales["pipeline"]})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def move(api, deal, **fields):
    return api.patch(f"{URL}/{deal['id']}", json=fields, headers={"If-Match": f'"{deal["version"]}"'})


def test_a_stage_outside_the_deals_pipeline_gets_422_naming_the_stages_allowed(app, api, sales):
    rental = new_pipeline(app, "Rental")
    response = move(api, new_deal(api, sales), stage_id=rental["Proposal"])
    error = response.get_json()["error"]
    assert response.status_code == 422
    assert error["fields"]["stage_id"] == ["Not a state this record can take. Allowed: Proposal, Negotiation, Won, Lost."]
    assert [state["key"] for state in error["allowed"]] == [str(sales[n]) for n in ("Proposal", "Negotiation", "Won", "Lost")]


def test_an_archived_stage_takes_no_deal(app, api, sales):
    with app.app_context():
        setup.set_archived(db.session(), db.session().get(Stage, sales["Proposal"]), True)
    response = move(api, new_deal(api, sales), stage_id=sales["Proposal"])
    assert response.status_code == 422
    assert str(sales["Proposal"]) not in [state["key"] for state in response.get_json()["error"]["allowed"]]


def test_a_lost_stage_needs_a_reason_and_every_move_is_stored(app, api, sales):
    deal = new_deal(api, sales)
    response = move(api, deal, stage_id=sales["Lost"])
    assert response.status_code == 422 and response.get_json()["error"]["fields"] == {"loss_reason_id": ["Required in the state Lost."]}
    assert move(api, deal, stage_id=sales["Lost"], loss_reason_id=new_reason(app)).status_code == 200
    with app.app_context():
        moves = db.session().execute(select(Transition.from_state, Transition.to_state).where(Transition.entity == "deal"))
        assert [tuple(m) for m in moves] == [(None, str(sales["Qualification"])), (str(sales["Qualification"]), str(sales["Lost"]))]


def test_a_stale_move_of_a_deal_gets_409(api, sales):
    deal = new_deal(api, sales)
    assert move(api, deal, stage_id=sales["Proposal"]).status_code == 200
    assert move(api, deal, stage_id=sales["Negotiation"]).status_code == 409


def test_the_deal_page_shows_the_time_in_each_stage(app, api, sales):
    deal = new_deal(api, sales)
    move(api, deal, stage_id=sales["Proposal"])
    client = app.test_client()
    assert login(client).status_code == 302
    page = client.get(f"/deal/{deal['id']}").get_data(as_text=True)
    panel = re.search(r'<table class="table time-in-states">.*?</table>', page, re.S).group(0)
    assert re.findall(r"<tr[^>]*><td>([^<]*)", panel) == ["Qualification", "Proposal "]


def test_the_deal_form_offers_the_current_stage_and_the_pipelines_others_even_after_a_refusal(app, api, sales):
    deal = new_deal(api, sales)
    client = app.test_client()
    assert login(client).status_code == 302
    form = client.get(f"/deal/{deal['id']}/edit").get_data(as_text=True)
    offered = [str(sales[n]) for n in ("Qualification", "Proposal", "Negotiation", "Won", "Lost")]
    assert stage_options(form) == offered
    data = {"title": "Cement", "pipeline_id": str(sales["pipeline"]), "stage_id": str(sales["Lost"]), "currency": "KZT",
            "version": "1", "csrf_token": csrf_token(client, f"/deal/{deal['id']}/edit")}
    refused = client.post(f"/deal/{deal['id']}/edit", data=data)
    assert refused.status_code == 422 and "Required in the state Lost." in refused.get_data(as_text=True)
    assert stage_options(refused.get_data(as_text=True)) == offered


def stage_options(page):
    select_html = re.search(r'<select id="f-stage_id" name="stage_id".*?</select>', page, re.S).group(0)
    return re.findall(r'<option value="([^"]*)"', select_html)
