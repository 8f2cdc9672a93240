"""The kanban board of a pipeline: a column per stage with its count, sum and weighted sum, cards
paged 50 at a time, filters, only the deals the user may see, and moves that obey the workflow
(the no-JavaScript form, and the JSON answer board.js reads)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from babel import Locale
from babel.numbers import format_currency
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from crmkit import db
from crmkit.core.pipelines.board_data import MoneyFormat
from crmkit.core.org.service import save_office
from crmkit.core.pipelines import setup
from crmkit.core.pipelines.models import Deal, Stage
from crmkit.entities.transitions import Transition
from tests.conftest import csrf_token
from tests.people import client_as, new_department, person
from tests.pipelining import acting_as, deal, new_organization, new_pipeline, new_reason

ADMIN = "admin@example.com"
AGENT = "aliya@example.com"


@pytest.fixture
def app(make_app):
    return make_app(DEFAULT_LOCALE="en")


@pytest.fixture
def sales(app, admin_client):
    return new_pipeline(app)


def make_deals(app, pipeline, stage_id, count=1, email=ADMIN, **fields):
    """``count`` deals made through Records by ``email`` and moved to ``stage_id``; their ids."""
    ids = []
    with acting_as(app, email) as records:
        for n in range(count):
            made = records.create({"title": fields.get("title", f"Deal {n}"), "pipeline_id": pipeline,
                                   **{k: v for k, v in fields.items() if k != "title"}})
            if made.stage_id != stage_id:
                records.update(made, {"stage_id": stage_id}, version=made.version)
            ids.append(made.id)
    return ids


def column(html: str, stage_id: int) -> str:
    found = re.search(rf'<section class="board-column stage-{stage_id} .*?</section>', html, re.S)
    assert found, f"no column for stage {stage_id}"
    return found.group(0)


def count_of(html: str, stage_id: int) -> int:
    return int(re.search(r"<dd data-count>(\d+)</dd>", column(html, stage_id)).group(1))


def card_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<li class="board-card[^"]*" id="deal-(\d+)"', html)]


def board(client, sales, **args) -> str:
    response = client.get(f"/pipelines/{sales['pipeline']}/board", query_string=args)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def kzt(app, amount: str) -> str:
    """An amount in tenge as an English page shows it."""
    return format_currency(Decimal(amount), "KZT", locale="en")


def move(client, sales, deal_id, stage_id, version, json=False, **fields):
    token = csrf_token(client, f"/pipelines/{sales['pipeline']}/board")
    headers = {"Accept": "application/json"} if json else {}
    return client.post(f"/pipelines/{sales['pipeline']}/board/deals/{deal_id}/move", headers=headers,
                       data={"csrf_token": token, "stage_id": stage_id, "version": version, **fields})


# columns
def test_each_column_shows_its_count_sum_and_weighted_sum(app, admin_client, sales):
    make_deals(app, sales["pipeline"], sales["Proposal"], 2, amount="1000.10")  # the stage's 40%
    make_deals(app, sales["pipeline"], sales["Proposal"], 1, amount="500", probability=90)
    html = board(admin_client, sales)
    proposal = column(html, sales["Proposal"])
    assert count_of(html, sales["Proposal"]) == 3 and count_of(html, sales["Negotiation"]) == 0
    assert f"<dd data-sum><span class=\"board-money\">{kzt(app, '2500.20')}</span></dd>" in proposal
    assert kzt(app, "1250.08") in proposal  # 2000.20 x 40% + 500 x 90%


def test_a_won_deal_weighs_its_whole_amount_and_a_lost_one_nothing_whatever_its_own_probability(app, admin_client, sales):
    make_deals(app, sales["pipeline"], sales["Won"], 1, amount="700", probability=30)
    reason = new_reason(app)
    with acting_as(app, ADMIN) as records:
        made = records.create({"title": "Lost one", "pipeline_id": sales["pipeline"], "amount": "900", "probability": 60})
        records.update(made, {"stage_id": sales["Lost"], "loss_reason_id": reason}, version=made.version)
    html = board(admin_client, sales)
    assert re.search(r"<dd data-weighted>.*?" + re.escape(kzt(app, "700.00")), column(html, sales["Won"]), re.S)
    assert re.search(r"<dd data-weighted>.*?" + re.escape(kzt(app, "0.00")), column(html, sales["Lost"]), re.S)


def test_the_board_lists_every_live_stage_in_order(app, admin_client, sales):
    html = board(admin_client, sales)
    order = [int(i) for i in re.findall(r'<section class="board-column stage-(\d+)', html)]
    assert order == [sales[name] for name in ("Qualification", "Proposal", "Negotiation", "Won", "Lost")]


def test_a_column_shows_the_newest_fifty_cards_then_pages_by_show_more(app, admin_client, sales):
    ids = make_deals(app, sales["pipeline"], sales["Qualification"], 120)
    html = board(admin_client, sales)
    assert count_of(html, sales["Qualification"]) == 120
    first = card_ids(column(html, sales["Qualification"]))
    assert first == sorted(ids, reverse=True)[:50]
    seen = list(first)
    link = re.search(r'<a class="board-more" data-more href="([^"]+)"', column(html, sales["Qualification"])).group(1)
    while link:
        page = admin_client.get(link.replace("&amp;", "&"))
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        seen += card_ids(text)
        found = re.search(r'<a class="board-more"[^>]* href="([^"]+)"', text)
        link = found.group(1) if found else None
    assert seen == sorted(ids, reverse=True)


def test_show_more_gives_board_js_the_cards_alone(app, admin_client, sales):
    make_deals(app, sales["pipeline"], sales["Qualification"], 51)
    html = board(admin_client, sales)
    link = re.search(r'data-more href="([^"]+)"', html).group(1).replace("&amp;", "&")
    part = admin_client.get(link + "&part=cards").get_data(as_text=True)
    assert len(card_ids(part)) == 1 and "<html" not in part


def test_won_and_lost_columns_hold_the_deals_closed_in_the_last_thirty_days(app, admin_client, sales):
    old, recent = make_deals(app, sales["pipeline"], sales["Won"], 2)
    with app.app_context():
        db.session().execute(update(Deal).where(Deal.id == old).values(closed_at=datetime.now(UTC) - timedelta(days=40)))
        db.session().commit()
    assert card_ids(column(board(admin_client, sales), sales["Won"])) == [recent]
    a_year = {"from": (datetime.now(UTC) - timedelta(days=365)).date().isoformat()}
    assert sorted(card_ids(column(board(admin_client, sales, **a_year), sales["Won"]))) == [old, recent]


# filters and visibility
def test_the_board_filters_by_owner_source_and_expected_close(app, admin_client, sales):
    agent = person(app, AGENT)
    mine = make_deals(app, sales["pipeline"], sales["Proposal"], 1, email=AGENT, source="website",
                      expected_close_on="2026-05-10")
    make_deals(app, sales["pipeline"], sales["Proposal"], 1, source="referral", expected_close_on="2026-09-01")
    assert card_ids(board(admin_client, sales, owner=agent)) == mine
    assert card_ids(board(admin_client, sales, source="website")) == mine
    assert card_ids(board(admin_client, sales, period="close", **{"from": "2026-05-01", "to": "2026-05-31"})) == mine


def test_the_board_filters_by_department_and_office(app, admin_client, sales):
    with app.app_context():
        made = save_office(db.session(), None, "Almaty", "Abay 1", "Asia/Almaty")
        db.session().commit()
        office = made.id
    unit = new_department(admin_client, "Almaty sales", office_id=office)
    team = new_department(admin_client, "Key accounts", parent_id=unit)
    person(app, AGENT, department_id=team)
    mine = make_deals(app, sales["pipeline"], sales["Proposal"], 1, email=AGENT)
    make_deals(app, sales["pipeline"], sales["Proposal"], 1)
    assert card_ids(board(admin_client, sales, department=unit)) == mine  # and the departments under it
    assert count_of(board(admin_client, sales, department=unit), sales["Proposal"]) == 1
    assert card_ids(board(admin_client, sales, office=office)) == []  # the agent's own department has no office
    person(app, "dana@example.com", department_id=unit)
    theirs = make_deals(app, sales["pipeline"], sales["Proposal"], 1, email="dana@example.com")
    assert card_ids(board(admin_client, sales, office=office)) == theirs


def test_the_board_filters_by_the_day_deals_were_made(app, admin_client, sales):
    (made,) = make_deals(app, sales["pipeline"], sales["Proposal"])
    today = datetime.now(UTC).date()
    assert card_ids(board(admin_client, sales, **{"from": (today - timedelta(days=1)).isoformat()})) == [made]
    assert card_ids(board(admin_client, sales, **{"to": (today - timedelta(days=2)).isoformat()})) == []


def test_an_agents_board_holds_only_the_deals_the_agent_may_see(app, admin_client, sales):
    person(app, AGENT)
    mine = make_deals(app, sales["pipeline"], sales["Proposal"], 2, email=AGENT, amount="100")
    make_deals(app, sales["pipeline"], sales["Proposal"], 3, amount="1000000")
    html = board(client_as(app, AGENT), sales)
    assert sorted(card_ids(html)) == sorted(mine)
    assert count_of(html, sales["Proposal"]) == 2 and kzt(app, "200") in column(html, sales["Proposal"])
    assert kzt(app, "3000000") not in html


def test_an_agent_cannot_move_or_page_a_deal_they_may_not_see(app, admin_client, sales):
    person(app, AGENT)
    (other,) = make_deals(app, sales["pipeline"], sales["Proposal"])
    agent = client_as(app, AGENT)
    assert move(agent, sales, other, sales["Negotiation"], 2).status_code == 404
    assert deal(app, other).stage_id == sales["Proposal"]


# cards
def test_a_card_shows_the_organisation_amount_next_activity_and_rotting(app, admin_client, sales):
    with acting_as(app, ADMIN) as records:
        organisation = new_organization(records, "Alatau LLP")
    (deal_id,) = make_deals(app, sales["pipeline"], sales["Negotiation"], organization_id=organisation, amount="7000")
    soon = datetime.now(UTC) + timedelta(days=2)
    with acting_as(app, ADMIN, "activity") as activities:
        for subject, when in (("Send the contract", soon + timedelta(days=3)), ("Call the buyer", soon)):
            activities.create({"kind": "task", "subject": subject, "about_entity": "deal", "about_id": deal_id,
                               "happened_at": when.isoformat(), "status": "open"})
    with app.app_context():  # Negotiation rots after 7 days
        db.session().execute(update(Deal).where(Deal.id == deal_id).values(stage_entered_at=datetime.now(UTC) - timedelta(days=8)))
        db.session().commit()
    card = column(board(admin_client, sales), sales["Negotiation"])
    assert "Alatau LLP" in card and kzt(app, "7000") in card
    assert "Call the buyer" in card and "Send the contract" not in card
    assert "board-card rotting" in card and "Rotting" in card


def test_the_board_page_has_no_inline_script_or_style(app, admin_client, sales):
    make_deals(app, sales["pipeline"], sales["Proposal"])
    html = board(admin_client, sales)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and "style=" not in html and "<style" not in html
    assert not re.search(r"\son[a-z]+=", html)
    colors = admin_client.get(f"/pipelines/{sales['pipeline']}/board/colors.css")
    assert colors.mimetype == "text/css" and f".stage-{sales['Won']} {{ --stage-color: #16a34a; }}" in colors.get_data(as_text=True)


# moves
def test_a_move_by_the_form_changes_the_stage_and_returns_to_the_board(app, admin_client, sales):
    (deal_id,) = make_deals(app, sales["pipeline"], sales["Qualification"])
    response = move(admin_client, sales, deal_id, sales["Proposal"], deal(app, deal_id).version, owner="")
    assert response.status_code == 302 and response.location.endswith(f"/board#deal-{deal_id}")
    assert deal(app, deal_id).stage_id == sales["Proposal"]


def test_a_move_answers_board_js_with_the_card_and_every_columns_totals(app, admin_client, sales):
    (deal_id,) = make_deals(app, sales["pipeline"], sales["Qualification"], amount="300")
    response = move(admin_client, sales, deal_id, sales["Proposal"], deal(app, deal_id).version, json=True)
    assert response.status_code == 200
    body = response.get_json()
    assert body["stage_id"] == sales["Proposal"] and f'id="deal-{deal_id}"' in body["card"]
    assert body["columns"][str(sales["Proposal"])]["count"] == "1" and body["columns"][str(sales["Qualification"])]["count"] == "0"
    assert kzt(app, "300") in body["columns"][str(sales["Proposal"])]["sum"]


def test_a_stale_move_is_refused_with_409_and_the_deal_as_saved(app, admin_client, sales):
    (deal_id,) = make_deals(app, sales["pipeline"], sales["Qualification"])
    seen = deal(app, deal_id).version
    assert move(admin_client, sales, deal_id, sales["Proposal"], seen).status_code == 302
    stale = move(admin_client, sales, deal_id, sales["Negotiation"], seen, json=True)
    assert stale.status_code == 409 and "Someone changed this deal" in stale.get_json()["error"]
    assert f'data-version="{deal(app, deal_id).version}"' in stale.get_json()["card"]
    page = move(admin_client, sales, deal_id, sales["Negotiation"], seen)
    assert page.status_code == 409 and "Someone changed this deal" in page.get_data(as_text=True)
    assert deal(app, deal_id).stage_id == sales["Proposal"]


def test_moving_to_a_lost_column_without_javascript_first_asks_for_the_reason(app, admin_client, sales):
    new_reason(app, "Too expensive")
    with acting_as(app, ADMIN) as records:
        new_organization(records, "Rival LLP", competitor=True)
    (deal_id,) = make_deals(app, sales["pipeline"], sales["Proposal"])
    asked = move(admin_client, sales, deal_id, sales["Lost"], deal(app, deal_id).version)
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Why was it lost?" in html and "Too expensive" in html and "Rival LLP" in html
    assert deal(app, deal_id).stage_id == sales["Proposal"]


def test_a_lost_move_with_its_reason_and_competitor_closes_the_deal(app, admin_client, sales):
    reason = new_reason(app, "Too expensive")
    with acting_as(app, ADMIN) as records:
        rival = new_organization(records, "Rival LLP", competitor=True)
    (deal_id,) = make_deals(app, sales["pipeline"], sales["Proposal"])
    response = move(admin_client, sales, deal_id, sales["Lost"], deal(app, deal_id).version,
                    loss_reason_id=reason, competitor_ids=[rival], loss_note="They were cheaper")
    assert response.status_code == 302
    lost = deal(app, deal_id)
    assert lost.stage_id == sales["Lost"] and lost.loss_reason_id == reason and lost.closed_at is not None
    assert lost.loss_note == "They were cheaper"
    with app.app_context():
        from crmkit.core.pipelines.deals import competitor_ids

        assert competitor_ids(db.session(), deal_id) == [rival]


def test_a_move_to_a_stage_of_another_pipeline_is_refused(app, admin_client, sales):
    rental = new_pipeline(app, "Rental")
    (deal_id,) = make_deals(app, sales["pipeline"], sales["Qualification"])
    assert move(admin_client, sales, deal_id, rental["Proposal"], deal(app, deal_id).version).status_code == 400
    assert deal(app, deal_id).stage_id == sales["Qualification"]


def test_the_navigation_opens_the_first_pipelines_board(app, admin_client, sales):
    response = admin_client.get("/pipelines/board")
    assert response.status_code == 302 and response.location.endswith(f"/pipelines/{sales['pipeline']}/board")


@settings(max_examples=300, deadline=None)
@given(cents=st.integers(min_value=0, max_value=10**17), language=st.sampled_from(["ru", "kk", "en"]),
       currency=st.sampled_from(["KZT", "RUB", "USD", "EUR"]))
def test_card_amounts_are_written_exactly_as_babel_writes_them(cents, language, currency):
    amount = Decimal(cents) / 100
    assert MoneyFormat(Locale.parse(language))(amount, currency) == format_currency(amount, currency, locale=language)


# the workflow decides
def test_a_move_the_workflow_forbids_is_refused_with_422_naming_the_stages_allowed(app, admin_client, sales):
    (deal_id,) = make_deals(app, sales["pipeline"], sales["Qualification"])
    with app.app_context():
        setup.set_archived(db.session(), db.session().get(Stage, sales["Negotiation"]), True)
    version = deal(app, deal_id).version
    answer = move(admin_client, sales, deal_id, sales["Negotiation"], version, json=True)
    assert answer.status_code == 422 and "Proposal" in answer.get_json()["error"]
    assert "Negotiation" not in {state["label"] for state in answer.get_json()["allowed"]}
    page = move(admin_client, sales, deal_id, sales["Negotiation"], version)
    assert page.status_code == 422 and "Proposal" in page.get_data(as_text=True)
    assert deal(app, deal_id).stage_id == sales["Qualification"]


def test_a_lost_move_without_its_reason_is_refused_with_422(app, admin_client, sales):
    new_reason(app)
    (deal_id,) = make_deals(app, sales["pipeline"], sales["Proposal"])
    answer = move(admin_client, sales, deal_id, sales["Lost"], deal(app, deal_id).version, json=True)
    assert answer.status_code == 422 and "loss_reason_id" in answer.get_json()["fields"]
    assert deal(app, deal_id).stage_id == sales["Proposal"]


def test_every_move_on_the_board_is_stored_as_a_transition(app, admin_client, sales):
    (deal_id,) = make_deals(app, sales["pipeline"], sales["Qualification"])
    assert move(admin_client, sales, deal_id, sales["Proposal"], deal(app, deal_id).version).status_code == 302
    with app.app_context():
        moves = db.session().execute(select(Transition.from_state, Transition.to_state).where(
            Transition.entity == "deal", Transition.record_id == deal_id).order_by(Transition.id)).all()
    assert [tuple(m) for m in moves] == [(None, str(sales["Qualification"])), (str(sales["Qualification"]), str(sales["Proposal"]))]


def test_a_won_column_shows_the_most_recently_closed_first_and_pages_by_closing_time(app, admin_client, sales):
    ids = make_deals(app, sales["pipeline"], sales["Won"], 53)
    with app.app_context():  # closed in another order than made
        for n, deal_id in enumerate(ids):
            closed = datetime.now(UTC) - timedelta(hours=(n * 7) % 53)
            db.session().execute(update(Deal).where(Deal.id == deal_id).values(closed_at=closed))
        db.session().commit()
        newest_first = list(db.session().execute(select(Deal.id).order_by(Deal.closed_at.desc(), Deal.id.desc())).scalars())
    html = column(board(admin_client, sales), sales["Won"])
    assert card_ids(html) == newest_first[:50]
    link = re.search(r'data-more href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert card_ids(admin_client.get(link).get_data(as_text=True)) == newest_first[50:]


def test_what_people_typed_on_a_card_is_escaped(app, admin_client, sales):
    with acting_as(app, ADMIN) as records:
        organisation = new_organization(records, 'Rival "<b>" LLP')
    make_deals(app, sales["pipeline"], sales["Proposal"], title="<script>alert(1)</script>", organization_id=organisation)
    card = column(board(admin_client, sales), sales["Proposal"])
    assert "<script>alert" not in card and "&lt;script&gt;alert(1)&lt;/script&gt;" in card
    assert "Rival &#34;&lt;b&gt;&#34; LLP" in card


def test_the_lost_dialogs_reasons_and_competitors_come_only_when_it_opens(app, admin_client, sales):
    new_reason(app, "Too expensive")
    with acting_as(app, ADMIN) as records:
        new_organization(records, "Rival LLP", competitor=True)
    (deal_id,) = make_deals(app, sales["pipeline"], sales["Proposal"])
    html = board(admin_client, sales)
    assert 'id="board-lost"' in html and "Rival LLP" not in html
    part = admin_client.get(f"/pipelines/{sales['pipeline']}/board/deals/{deal_id}/move",
                            query_string={"part": "fields", "stage_id": sales["Lost"], "version": deal(app, deal_id).version})
    text = part.get_data(as_text=True)
    assert part.status_code == 200 and "Too expensive" in text and "Rival LLP" in text and "<html" not in text
