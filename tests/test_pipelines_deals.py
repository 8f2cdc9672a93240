"""Deals on the entity framework: made in a pipeline's first stage, stamped as they enter stages,
with the competitors who won a lost deal kept beside it; their form, list and API come free."""

import re
from decimal import Decimal

import pytest

from crmkit import db
from crmkit.core.pipelines import setup
from crmkit.core.pipelines.models import DealCompetitor, Stage
from crmkit.entities.service import Invalid
from tests.conftest import csrf_token
from tests.people import page, post
from tests.pipelining import acting_as, deal, new_deal_page, new_organization, new_pipeline, new_reason
from tests.statements import statements_on

ADMIN = "admin@example.com"


@pytest.fixture
def app(make_app):
    return make_app(DEFAULT_LOCALE="en")


@pytest.fixture
def sales(app, admin_client):
    return new_pipeline(app)


def test_a_deal_made_without_a_stage_starts_in_the_pipelines_first_open_stage(app, admin_client, sales):
    deal_id = new_deal_page(admin_client, title="Cement for Alatau", pipeline_id=sales["pipeline"], amount="1500000")
    made = deal(app, deal_id)
    assert made.stage_id == sales["Qualification"]
    assert made.currency == "KZT" and made.amount == Decimal("1500000.00")
    assert made.stage_entered_at is not None and made.closed_at is None


def test_the_deal_form_offers_pipelines_and_stages_by_name(app, admin_client, sales):
    form = page(admin_client, "/deal/new")
    assert f'<option value="{sales["pipeline"]}"' in form and ">Sales<" in form
    assert "Sales: Negotiation" in form


def test_a_stage_of_another_pipeline_is_refused(app, admin_client, sales):
    rental = new_pipeline(app, "Rental")
    with acting_as(app, ADMIN) as records, pytest.raises(Invalid) as refused:
        records.create({"title": "Office", "pipeline_id": sales["pipeline"], "stage_id": rental["Proposal"]})
    assert "stage_id" in refused.value.fields


def test_an_unknown_pipeline_is_refused_with_a_message(app, admin_client, sales):
    with acting_as(app, ADMIN) as records, pytest.raises(Invalid) as refused:
        records.create({"title": "Office", "pipeline_id": 999})
    assert refused.value.fields["pipeline_id"] == ["No such pipeline."]


def test_entering_a_won_stage_records_the_date_and_the_final_amount(app, admin_client, sales):
    with acting_as(app, ADMIN) as records:
        made = records.create({"title": "Cement", "pipeline_id": sales["pipeline"], "amount": "900"})
        records.update(made, {"stage_id": sales["Won"], "amount": "950"}, version=made.version)
        assert made.closed_at is not None and made.won_amount == Decimal("950.00")


def test_reopening_a_lost_deal_clears_its_closing_and_its_competitors(app, admin_client, sales):
    reason_id = new_reason(app)
    with acting_as(app, ADMIN) as records:
        rival = new_organization(records, "Rival LLP", competitor=True)
        made = records.create({"title": "Cement", "pipeline_id": sales["pipeline"]})
        records.update(made, {"stage_id": sales["Lost"], "loss_reason_id": reason_id, "competitor_ids": [rival]},
                       version=made.version)
        assert made.closed_at is not None and made.competitor_ids == [rival]
        assert db.session().get(DealCompetitor, (made.id, rival)) is not None
        records.update(made, {"stage_id": sales["Negotiation"]}, version=made.version)
        assert made.closed_at is None and made.loss_reason_id is None
        assert db.session().get(DealCompetitor, (made.id, rival)) is None


def test_only_organisations_marked_as_competitors_may_be_named_as_winners(app, admin_client, sales):
    with acting_as(app, ADMIN) as records, pytest.raises(Invalid) as refused:
        client = new_organization(records, "Client LLP")
        records.create({"title": "Cement", "pipeline_id": sales["pipeline"], "competitor_ids": [client]})
    assert "competitor_ids" in refused.value.fields


def test_the_deal_api_creates_a_deal_and_returns_money_as_text(app, admin_client, sales):
    response = admin_client.post("/api/v1/deal", json={"title": "API deal", "pipeline_id": sales["pipeline"], "amount": "10.5"},
                                 headers={"X-CSRFToken": csrf_of(admin_client)})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["amount"] == "10.50" and response.get_json()["stage_id"] == sales["Qualification"]


def csrf_of(client):
    return csrf_token(client, "/deal/new")


def test_the_deal_list_shows_stages_by_name(app, admin_client, sales):
    new_deal_page(admin_client, title="Cement for Alatau", pipeline_id=sales["pipeline"])
    listing = page(admin_client, "/deal/")
    assert re.search(r"<td[^>]*>Qualification</td>", listing)
    assert "Qualification" not in page(admin_client, f"/deal/?stage_id={sales['Won']}").split("<tbody>")[1]


def test_editing_a_lost_deal_on_its_form_keeps_its_competitors(app, admin_client, sales):
    reason_id = new_reason(app)
    with acting_as(app, ADMIN) as records:
        rival = new_organization(records, "Rival LLP", competitor=True)
        made = records.create({"title": "Cement", "pipeline_id": sales["pipeline"], "stage_id": sales["Lost"],
                               "loss_reason_id": reason_id, "competitor_ids": [rival]})
    form = page(admin_client, f"/deal/{made.id}/edit")
    fields = dict(re.findall(r'<input id="f-(\w+)" type="\w+" name="\w+" value="([^"]*)"', form))
    fields.update(title="Cement, 40 t", pipeline_id=str(sales["pipeline"]), stage_id=str(sales["Lost"]),
                  loss_reason_id=str(reason_id), currency="KZT", version=re.search(r'name="version" value="(\d+)"', form).group(1))
    response = post(admin_client, f"/deal/{made.id}/edit", fields, f"/deal/{made.id}/edit")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert deal(app, made.id).title == "Cement, 40 t"
    assert admin_client.get(f"/api/v1/deal/{made.id}").get_json()["competitor_ids"] == [rival]


def test_an_archived_loss_reason_is_not_taken_for_a_new_loss(app, admin_client, sales):
    from crmkit.core.pipelines import setup
    from crmkit.core.pipelines.models import LossReason

    reason_id = new_reason(app, "Went silent")
    with acting_as(app, ADMIN) as records:
        setup.set_archived(records.db, records.db.get(LossReason, reason_id), True)
        made = records.create({"title": "Cement", "pipeline_id": sales["pipeline"]})
        with pytest.raises(Invalid) as refused:
            records.update(made, {"stage_id": sales["Lost"], "loss_reason_id": reason_id}, version=made.version)
    assert refused.value.fields["stage_id"] == ["The loss reason Went silent is archived; choose another."]


def test_an_archived_pipeline_takes_no_new_deals_but_its_deals_stay_editable(app, admin_client, sales):
    from crmkit.core.pipelines import setup
    from crmkit.core.pipelines.models import Pipeline

    with acting_as(app, ADMIN) as records:
        kept = records.create({"title": "Cement", "pipeline_id": sales["pipeline"]})
        setup.set_archived(records.db, records.db.get(Pipeline, sales["pipeline"]), True)
        with pytest.raises(Invalid) as refused:
            records.create({"title": "Sand", "pipeline_id": sales["pipeline"]})
        assert refused.value.fields["stage_id"] == ["The pipeline Sales is archived; choose another."]
        records.update(kept, {"title": "Cement, 40 t", "stage_id": sales["Proposal"]}, version=kept.version)
    form = page(admin_client, f"/deal/{kept.id}/edit")
    assert re.search(rf'<option value="{sales["pipeline"]}" selected>Sales \(archived\)</option>', form)


def test_a_move_between_open_stages_reads_neither_competitors_nor_line_items(app, admin_client, sales):
    with acting_as(app, ADMIN) as records:
        made = records.create({"title": "Cement", "pipeline_id": sales["pipeline"], "amount": "900"})
        with statements_on(app, "pipelines_deal_competitor") as competitors, statements_on(app, "pipelines_line_item") as lines:
            records.update(made, {"stage_id": sales["Negotiation"]}, version=made.version)
        assert competitors == [] and lines == []
        assert made.stage_id == sales["Negotiation"] and made.amount == Decimal("900.00")


def test_a_stage_archived_during_a_request_takes_no_new_deals_in_that_request(app, admin_client, sales):
    with acting_as(app, ADMIN) as records:
        made = records.create({"title": "Cement", "pipeline_id": sales["pipeline"]})
        records.update(made, {"stage_id": sales["Proposal"]}, version=made.version)
        setup.set_archived(db.session(), db.session().get(Stage, sales["Negotiation"]), True)
        with pytest.raises(Invalid) as refused:
            records.update(made, {"stage_id": sales["Negotiation"]}, version=made.version)
    assert "stage_id" in refused.value.fields


def test_the_deal_api_list_reads_every_deals_competitors_in_one_query(app, admin_client, sales):
    reason_id = new_reason(app)
    with acting_as(app, ADMIN) as records:
        rival = new_organization(records, "Rival LLP", competitor=True)
        for n in range(5):
            records.create({"title": f"Cement {n}", "pipeline_id": sales["pipeline"], "stage_id": sales["Lost"],
                            "loss_reason_id": reason_id, "competitor_ids": [rival]})
    with statements_on(app, "pipelines_deal_competitor") as sent:
        items = admin_client.get("/api/v1/deal?limit=50").get_json()["items"]
    assert [item["competitor_ids"] for item in items] == [[rival]] * 5
    assert len(sent) == 1
