"""The deal's page: line items from the price list or typed with the amount computed from them,
its people in their roles, closing as won or lost, reopening, and the time in each stage. Every
form is a plain POST with a CSRF token and the deal's version."""

import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from crmkit import db
from crmkit.core.pipelines.models import DealPerson, LineItem, PriceItem
from tests.people import page, post
from tests.pipelining import acting_as, deal, new_organization, new_pipeline, new_reason

ADMIN = "admin@example.com"


@pytest.fixture
def app(make_app):
    return make_app(DEFAULT_LOCALE="en")


@pytest.fixture
def sales(app, admin_client):
    return new_pipeline(app)


@pytest.fixture
def deal_id(app, sales):
    with acting_as(app, ADMIN) as records:
        return records.create({"title": "Cement for Alatau", "pipeline_id": sales["pipeline"], "amount": "100"}).id


def version(app, deal_id):
    return str(deal(app, deal_id).version)


def price_item(app, **fields):
    with app.app_context():
        session = db.session()
        item = PriceItem(**{"name": "Cement M500", "unit": "t", "price": Decimal("42500.50"), "vat_rate": Decimal("12"), **fields})
        session.add(item)
        session.commit()
        return item.id


def add_line(client, app, deal_id, **fields):
    return post(client, f"/deals/{deal_id}/lines", {"version": version(app, deal_id), **fields}, f"/deals/{deal_id}/lines")


def test_a_line_chosen_from_the_price_list_takes_its_name_price_and_vat_and_sets_the_amount(app, admin_client, deal_id):
    item = price_item(app)
    response = add_line(admin_client, app, deal_id, price_item_id=str(item), quantity="3", discount_percent="5")
    assert response.status_code == 302
    # net = round(3 * 42500.50 * 0.95, 2) = 121126.43; VAT 12% = 14535.17
    assert deal(app, deal_id).amount == Decimal("135661.60")
    shown = page(admin_client, f"/deal/{deal_id}")
    assert "Cement M500" in shown and re.search(r"data-total>.*135\D661", shown, re.S)
    assert "Competitors who won" not in shown.split('class="panels"')[0]  # none: not listed among the fields


def test_typed_lines_add_up_and_removing_one_recomputes_the_amount(app, admin_client, deal_id):
    add_line(admin_client, app, deal_id, name="Delivery", quantity="1", price="15000", vat_rate="12")
    add_line(admin_client, app, deal_id, name="Unloading", quantity="2,5", price="1000", discount_percent="10")
    assert deal(app, deal_id).amount == Decimal("19050.00")  # 16800 + 2250
    with app.app_context():
        unloading = db.session().execute(select(LineItem.id).where(LineItem.name == "Unloading")).scalar_one()
    post(admin_client, f"/deals/{deal_id}/lines/{unloading}/remove", {"version": version(app, deal_id)}, f"/deal/{deal_id}")
    assert deal(app, deal_id).amount == Decimal("16800.00")


def test_a_line_is_changed_on_its_own_page(app, admin_client, deal_id):
    add_line(admin_client, app, deal_id, name="Delivery", quantity="1", price="15000")
    with app.app_context():
        line_id = db.session().execute(select(LineItem.id)).scalar_one()
    assert 'value="Delivery"' in page(admin_client, f"/deals/{deal_id}/lines/{line_id}")
    response = post(admin_client, f"/deals/{deal_id}/lines/{line_id}",
                    {"version": version(app, deal_id), "name": "Delivery", "quantity": "2", "price": "15000"}, f"/deal/{deal_id}")
    assert response.status_code == 302 and deal(app, deal_id).amount == Decimal("30000.00")


def test_a_bad_line_is_refused_whole_and_comes_back_as_typed(app, admin_client, deal_id):
    response = add_line(admin_client, app, deal_id, name="Delivery", quantity="-1", price="15000.555")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "A quantity above zero" in text and "at most two decimals" in text and 'value="Delivery"' in text
    with app.app_context():
        assert db.session().execute(select(LineItem)).first() is None
    assert deal(app, deal_id).amount == Decimal("100.00")


def test_a_line_sent_from_a_stale_page_is_refused_with_409(app, admin_client, deal_id):
    stale = version(app, deal_id)
    with acting_as(app, ADMIN) as records:
        records.update(records.get(deal_id), {"title": "Cement, 40 t"}, version=int(stale))
    response = post(admin_client, f"/deals/{deal_id}/lines", {"version": stale, "name": "Delivery", "price": "1"}, f"/deal/{deal_id}")
    assert response.status_code == 409
    with app.app_context():
        assert db.session().execute(select(LineItem)).first() is None


def test_people_are_added_in_their_roles_and_removed(app, admin_client, deal_id):
    with acting_as(app, ADMIN) as records:
        from tests.pipelining import other

        person_id = other(records, "person").create({"name": "Серикбаев Нурлан"}).id
    response = post(admin_client, f"/deals/{deal_id}/people",
                    {"version": version(app, deal_id), "person_id": str(person_id), "role": "decision_maker"}, f"/deal/{deal_id}")
    assert response.status_code == 302
    shown = page(admin_client, f"/deal/{deal_id}")
    assert "Серикбаев Нурлан" in shown and "Decision maker" in shown
    again = post(admin_client, f"/deals/{deal_id}/people",
                 {"version": version(app, deal_id), "person_id": str(person_id), "role": "decision_maker"}, f"/deal/{deal_id}")
    assert again.status_code == 422 and "already in the deal" in again.get_data(as_text=True)
    with app.app_context():
        row = db.session().execute(select(DealPerson)).scalar_one()
    post(admin_client, f"/deals/{deal_id}/people/{row.id}/remove", {"version": version(app, deal_id)}, f"/deal/{deal_id}")
    with app.app_context():
        assert db.session().execute(select(DealPerson)).first() is None


def test_closing_as_won_records_the_date_and_the_final_amount(app, admin_client, deal_id, sales):
    assert "Close as won" in page(admin_client, f"/deal/{deal_id}")
    response = post(admin_client, f"/deals/{deal_id}/won", {"version": version(app, deal_id), "amount": "120000"}, f"/deals/{deal_id}/won")
    assert response.status_code == 302
    closed = deal(app, deal_id)
    assert closed.stage_id == sales["Won"] and closed.won_amount == Decimal("120000.00") and closed.closed_at is not None
    shown = page(admin_client, f"/deal/{deal_id}")
    assert "Reopen" in shown
    assert "<del>Qualification</del> → <ins>Won</ins>" in shown  # the history names the stages
    assert "Qualification → Won" in page(admin_client, f"/timeline/deal/{deal_id}?kind=changes")


def test_closing_as_lost_needs_a_reason_and_keeps_the_competitors_and_the_note(app, admin_client, deal_id, sales):
    reason_id = new_reason(app, "Too expensive")
    with acting_as(app, ADMIN) as records:
        rival = new_organization(records, "Rival Cement LLP", competitor=True)
    form = page(admin_client, f"/deals/{deal_id}/lost")
    assert "Too expensive" in form and "Rival Cement LLP" in form
    refused = post(admin_client, f"/deals/{deal_id}/lost",
                   {"version": version(app, deal_id), "competitor_ids": str(rival), "loss_note": "They were cheaper"}, f"/deal/{deal_id}")
    assert refused.status_code == 422
    assert "Choose why the deal was lost." in refused.get_data(as_text=True) and "They were cheaper" in refused.get_data(as_text=True)
    assert deal(app, deal_id).stage_id == sales["Qualification"]
    done = post(admin_client, f"/deals/{deal_id}/lost", {"version": version(app, deal_id), "loss_reason_id": str(reason_id),
                                                         "competitor_ids": str(rival), "loss_note": "They were cheaper"}, f"/deal/{deal_id}")
    assert done.status_code == 302
    lost = deal(app, deal_id)
    assert (lost.stage_id, lost.loss_reason_id, lost.loss_note) == (sales["Lost"], reason_id, "They were cheaper")
    shown = page(admin_client, f"/deal/{deal_id}")
    assert "Rival Cement LLP" in shown and "Too expensive" in shown


def test_a_closed_deal_is_reopened_into_an_open_stage_and_the_time_in_each_stage_is_shown(app, admin_client, deal_id, sales):
    post(admin_client, f"/deals/{deal_id}/won", {"version": version(app, deal_id)}, f"/deal/{deal_id}")
    refused = post(admin_client, f"/deals/{deal_id}/reopen", {"version": version(app, deal_id), "stage_id": str(sales["Lost"])}, f"/deal/{deal_id}")
    assert refused.status_code == 422
    response = post(admin_client, f"/deals/{deal_id}/reopen", {"version": version(app, deal_id), "stage_id": str(sales["Negotiation"])}, f"/deal/{deal_id}")
    assert response.status_code == 302
    reopened = deal(app, deal_id)
    assert reopened.stage_id == sales["Negotiation"] and reopened.closed_at is None and reopened.won_amount is None
    panel = page(admin_client, f"/deal/{deal_id}").split('class="table time-in-states"', 1)[1].split("</table>")[0]
    assert re.findall(r"<tr[^>]*><td>(\w+)", panel) == ["Qualification", "Negotiation", "Won"]  # the pipeline's order


def test_the_closing_forms_need_edit_rights(app, admin_client, deal_id):
    from tests.people import client_as, person

    person(app, "agent@example.com")
    agent = client_as(app, "agent@example.com")
    assert agent.get(f"/deals/{deal_id}/won").status_code == 404  # not theirs: not even seen
    assert agent.post(f"/deals/{deal_id}/won", data={}).status_code in (400, 404)


def test_a_person_typed_that_names_no_one_is_refused_with_the_pickers_reason(app, admin_client, deal_id):
    response = post(admin_client, f"/deals/{deal_id}/people", {"version": version(app, deal_id), "person_id": "",
                                                               "person_id-title": "Nobody Such", "role": "payer"}, f"/deal/{deal_id}")
    assert response.status_code == 422
    assert "Nothing matches this name." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session().execute(select(DealPerson)).first() is None


def test_whole_quantities_show_as_plain_numbers_on_the_page_and_in_the_line_form(app, admin_client, deal_id):
    add_line(admin_client, app, deal_id, name="Bags", quantity="50", price="2100", discount_percent="10")
    with app.app_context():
        line_id = db.session().execute(select(LineItem.id)).scalar_one()
    shown = page(admin_client, f"/deal/{deal_id}")
    assert "50 × " in shown and "5E+1" not in shown and "− 10%" in shown
    assert 'value="50"' in page(admin_client, f"/deals/{deal_id}/lines/{line_id}")


def test_an_amount_typed_on_a_deal_with_lines_gives_way_to_the_lines_total(app, admin_client, deal_id):
    add_line(admin_client, app, deal_id, name="Delivery", quantity="1", price="15000", vat_rate="12")
    with acting_as(app, ADMIN) as records:
        made = records.get(deal_id)
        records.update(made, {"amount": "5", "title": "Cement and delivery"}, version=made.version)
    assert deal(app, deal_id).amount == Decimal("16800.00")


def test_the_amount_reads_as_money_on_the_deal_page_and_in_the_list(app, admin_client, deal_id):
    add_line(admin_client, app, deal_id, name="Steel", quantity="1", price="2044168")
    assert "2,044,168.00" in page(admin_client, f"/deal/{deal_id}").split('class="panels"')[0]
    assert "2,044,168.00" in page(admin_client, "/deal/")
