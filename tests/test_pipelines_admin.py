"""The pipelines setup pages: pipelines with their ordered stages, loss reasons and the price
list, for admins only; every form works without JavaScript and saves whole or not at all."""

import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from crmkit import db
from crmkit.core.pipelines.models import LossReason, Pipeline, PriceItem, Stage
from crmkit.entities.service import Invalid
from crmkit.entities.transitions import Transition
from tests.people import client_as, page, person, post
from tests.pipelining import acting_as, new_pipeline, stage

ADMIN = "admin@example.com"


@pytest.fixture
def app(make_app):
    return make_app(DEFAULT_LOCALE="en")


def stage_names(app, pipeline_id, lang="en"):
    with app.app_context():
        rows = db.session().execute(select(Stage).where(Stage.pipeline_id == pipeline_id).order_by(Stage.position))
        return [s.names.get(lang) for s in rows.scalars()]


@pytest.mark.parametrize("role", ["agent", "manager"])
def test_only_those_allowed_to_set_up_pipelines_reach_the_pages(app, admin_client, role):
    person(app, f"{role}@example.com", role=role)
    client = client_as(app, f"{role}@example.com")
    for url in ("/admin/pipelines/", "/admin/pipelines/loss-reasons", "/admin/pipelines/prices"):
        assert client.get(url).status_code == 403, url
    assert client.post("/admin/pipelines/", data={"name_en": "Mine"}).status_code in (400, 403)
    assert "/admin/pipelines/" not in page(client, "/")


def test_a_new_pipeline_starts_with_the_usual_stages(app, admin_client):
    response = post(admin_client, "/admin/pipelines/", {"name_ru": "Продажи", "name_en": "Sales", "currency": "KZT"})
    assert response.status_code == 302
    pipeline_id = int(re.search(r"/admin/pipelines/(\d+)", response.location).group(1))
    assert stage_names(app, pipeline_id) == ["Qualification", "Proposal", "Negotiation", "Won", "Lost"]
    assert stage_names(app, pipeline_id, "ru")[-2:] == ["Выиграна", "Проиграна"]


def test_a_pipeline_needs_a_name_in_some_language_and_nothing_is_saved_without_one(app, admin_client):
    response = post(admin_client, "/admin/pipelines/", {"name_ru": " ", "currency": "KZT"})
    assert response.status_code == 422
    assert "Give a name in at least one language." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session().execute(select(Pipeline)).first() is None


def test_names_are_shown_in_the_users_language_falling_back_to_another(app, admin_client):
    new_pipeline(app, "Sales", ru="Продажи")
    new_pipeline(app, "Rental")
    post(admin_client, "/-/language", {"language": "ru", "next": "/"})
    listing = page(admin_client, "/admin/pipelines/")
    assert ">Продажи<" in listing and ">Rental<" in listing


def test_a_new_open_stage_goes_before_the_closed_ones(app, admin_client):
    ids = new_pipeline(app)
    response = post(admin_client, f"/admin/pipelines/{ids['pipeline']}/stages",
                    {"name_en": "Contract", "name_kk": "Келісімшарт", "kind": "open", "probability": "85",
                     "color": "#112233", "rot_days": "5"})
    assert response.status_code == 302
    assert stage_names(app, ids["pipeline"]) == ["Qualification", "Proposal", "Negotiation", "Contract", "Won", "Lost"]


def test_a_stage_with_a_bad_value_is_refused_whole_and_the_form_keeps_what_was_typed(app, admin_client):
    ids = new_pipeline(app)
    response = post(admin_client, f"/admin/pipelines/stages/{ids['Proposal']}",
                    {"name_en": "Offer sent", "kind": "open", "probability": "140", "color": "#112233", "rot_days": ""})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "A whole number from 0 to 100." in text and 'value="Offer sent"' in text
    assert stage(app, ids["Proposal"]).names["en"] == "Proposal"


def test_a_stage_is_renamed_and_reconfigured(app, admin_client):
    ids = new_pipeline(app)
    response = post(admin_client, f"/admin/pipelines/stages/{ids['Proposal']}",
                    {"name_en": "Offer sent", "name_ru": "КП отправлено", "kind": "open", "probability": "45",
                     "color": "#112233", "rot_days": "3"})
    assert response.status_code == 302
    changed = stage(app, ids["Proposal"])
    assert (changed.names, changed.probability, changed.color, changed.rot_days) == (
        {"en": "Offer sent", "ru": "КП отправлено"}, 45, "#112233", 3)


def test_stages_move_up_and_down_with_plain_buttons(app, admin_client):
    ids = new_pipeline(app)
    url = f"/admin/pipelines/stages/{ids['Negotiation']}/move"
    assert post(admin_client, url, {"direction": "up"}).status_code == 302
    assert stage_names(app, ids["pipeline"])[:3] == ["Qualification", "Negotiation", "Proposal"]
    post(admin_client, url, {"direction": "down"})
    post(admin_client, url, {"direction": "down"})
    assert stage_names(app, ids["pipeline"])[1:4] == ["Proposal", "Won", "Negotiation"]


def test_archiving_a_stage_keeps_its_deals_and_their_transitions(app, admin_client):
    ids = new_pipeline(app)
    with acting_as(app, ADMIN) as records:
        deal_id = records.create({"title": "Cement", "pipeline_id": ids["pipeline"], "stage_id": ids["Proposal"]}).id
    response = post(admin_client, f"/admin/pipelines/stages/{ids['Proposal']}/archive", {"action": "archive"})
    assert response.status_code == 302
    assert stage(app, ids["Proposal"]).archived_at is not None
    with app.app_context():
        session = db.session()
        assert session.get(records.model, deal_id).stage_id == ids["Proposal"]
        moves = session.execute(select(Transition.to_state).where(
            Transition.entity == "deal", Transition.record_id == deal_id)).scalars().all()
        assert moves == [str(ids["Proposal"])]
    assert "Proposal" in page(admin_client, f"/deal/{deal_id}")
    with acting_as(app, ADMIN) as records:
        kept = records.get(deal_id)
        records.update(kept, {"title": "Cement, 40 t"}, version=kept.version)  # still editable where it is
        other = records.create({"title": "Sand", "pipeline_id": ids["pipeline"]})
        with pytest.raises(Invalid) as refused:
            records.update(other, {"stage_id": ids["Proposal"]}, version=other.version)
        assert "Allowed:" in refused.value.fields["stage_id"][0]
    post(admin_client, f"/admin/pipelines/stages/{ids['Proposal']}/archive", {"action": "restore"})
    assert stage(app, ids["Proposal"]).archived_at is None


def test_loss_reasons_are_added_renamed_reordered_and_archived(app, admin_client):
    assert post(admin_client, "/admin/pipelines/loss-reasons", {"name_en": "Too expensive"}).status_code == 302
    assert post(admin_client, "/admin/pipelines/loss-reasons", {"name_en": "Went silent"}).status_code == 302
    with app.app_context():
        first, second = db.session().execute(select(LossReason).order_by(LossReason.position)).scalars().all()
    post(admin_client, f"/admin/pipelines/loss-reasons/{second.id}", {"action": "up"})
    post(admin_client, f"/admin/pipelines/loss-reasons/{first.id}", {"action": "save", "name_en": "Price", "name_kk": "Баға"})
    post(admin_client, f"/admin/pipelines/loss-reasons/{first.id}", {"action": "archive"})
    with app.app_context():
        rows = db.session().execute(select(LossReason).order_by(LossReason.position)).scalars().all()
        assert [r.names for r in rows] == [{"en": "Went silent"}, {"en": "Price", "kk": "Баға"}]
        assert rows[1].archived_at is not None


def test_the_price_list_takes_prices_with_a_comma_and_refuses_three_decimals(app, admin_client):
    line = {"name": "Cement M500", "code": "C500", "unit": "t", "price": "42 500,50", "currency": "KZT", "vat_rate": "12"}
    assert post(admin_client, "/admin/pipelines/prices", line).status_code == 302
    refused = post(admin_client, "/admin/pipelines/prices", {**line, "name": "Sand", "price": "1.005"})
    assert refused.status_code == 422 and 'value="Sand"' in refused.get_data(as_text=True)
    with app.app_context():
        items = db.session().execute(select(PriceItem)).scalars().all()
        assert [(i.name, i.price, i.vat_rate) for i in items] == [("Cement M500", Decimal("42500.50"), Decimal("12.00"))]
    assert "Cement M500" in page(admin_client, "/admin/pipelines/prices")
