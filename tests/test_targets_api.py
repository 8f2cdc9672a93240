"""/api/v1/targets: admins list, create, change and delete monthly sales targets; a manager reads
their department's; bad input is a 422 with a message per field in the caller's language."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate
from sqlalchemy import select

from crmkit import db
from crmkit.core.access.models import Department
from crmkit.core.api.tokens import create_token
from crmkit.core.auth.service import find_user
from crmkit.core.targets.models import SalesTarget
from tests.people import matrix_staff

URL = "/api/v1/targets"


@pytest.fixture
def staff(app):
    matrix_staff(app)
    with app.app_context():
        session = db.session()
        deps = {d.name: d.id for d in session.execute(select(Department)).scalars()}
        users = {who: find_user(session, f"{who}@example.com").id for who in ("admin", "boss", "north", "support")}
    return {**deps, **users}


def api(app, who: str, language: str = "en"):
    client = app.test_client()
    with app.app_context():
        token = create_token(db.session(), find_user(db.session(), f"{who}@example.com"), "tests")[1]
    client.environ_base.update(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE=language)
    return client


def create(client, **body):
    response = client.post(URL, json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_an_admin_creates_reads_changes_and_deletes_a_target(app, staff):
    admin = api(app, "admin")
    made = create(admin, month="2026-03", user_id=staff["north"], amount="1500000.50")
    assert made["month"] == "2026-03" and made["amount"] == "1500000.50" and made["department_id"] is None
    assert admin.get(URL + f"/{made['id']}").get_json() == made
    changed = admin.patch(URL + f"/{made['id']}", json={"amount": "2000000"})
    assert changed.status_code == 200 and changed.get_json()["amount"] == "2000000.00"
    assert admin.delete(URL + f"/{made['id']}").status_code == 204
    assert admin.get(URL + f"/{made['id']}").status_code == 404
    with app.app_context():
        assert db.session().execute(select(SalesTarget)).first() is None


def test_a_target_made_over_the_api_is_the_one_the_admin_grid_shows(app, staff):
    admin = api(app, "admin")
    create(admin, month="2026-05", department_id=staff["Sales"], amount="700")
    with app.app_context():
        target = db.session().execute(select(SalesTarget)).scalar_one()
        assert (target.month.isoformat(), target.department_id, str(target.amount)) == ("2026-05-01", staff["Sales"], "700.00")


def test_the_list_filters_by_year_and_holder_and_pages_by_next(app, staff):
    admin = api(app, "admin")
    for month in range(1, 13):
        create(admin, month=f"2026-{month:02d}", user_id=staff["north"], amount=str(month))
    create(admin, month="2025-12", user_id=staff["north"], amount="1")
    first = admin.get(URL + f"?year=2026&user_id={staff['north']}&limit=5").get_json()
    assert [t["month"] for t in first["items"]] == [f"2026-{m:02d}" for m in range(1, 6)]
    months = [t["month"] for t in first["items"]]
    following = first["next"]
    while following:
        page = admin.get(following).get_json()
        months += [t["month"] for t in page["items"]]
        following = page["next"]
    assert months == [f"2026-{m:02d}" for m in range(1, 13)]


def test_a_manager_reads_the_targets_of_their_department_and_its_people_only(app, staff):
    admin, boss = api(app, "admin"), api(app, "boss")
    mine = [create(admin, month="2026-01", user_id=staff["north"], amount="1")["id"],
            create(admin, month="2026-01", department_id=staff["Sales North"], amount="2")["id"],
            create(admin, month="2026-01", department_id=staff["Sales"], amount="3")["id"]]
    theirs = create(admin, month="2026-01", department_id=staff["Support"], amount="4")["id"]
    assert sorted(t["id"] for t in boss.get(URL).get_json()["items"]) == sorted(mine)
    assert boss.get(URL + f"/{theirs}").status_code == 404


def test_a_manager_may_not_change_targets_and_an_agent_may_not_read_them(app, staff):
    made = create(api(app, "admin"), month="2026-01", user_id=staff["north"], amount="1")
    boss, north = api(app, "boss"), api(app, "north")
    assert boss.post(URL, json={"month": "2026-02", "user_id": staff["north"], "amount": "1"}).status_code == 403
    assert boss.patch(URL + f"/{made['id']}", json={"amount": "9"}).status_code == 403
    assert boss.delete(URL + f"/{made['id']}").status_code == 403
    refused = north.get(URL)
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == 403


@pytest.mark.parametrize("body, field", [
    ({"month": "2026-13", "user_id": 2, "amount": "1"}, "month"),
    ({"month": "2026-01", "amount": "1"}, "user_id"),
    ({"month": "2026-01", "user_id": 2, "department_id": 1, "amount": "1"}, "user_id"),
    ({"month": "2026-01", "user_id": 2, "amount": "-1"}, "amount"),
    ({"month": "2026-01", "user_id": 2, "amount": "1.005"}, "amount"),
    ({"month": "2026-01", "user_id": 2, "amount": "1", "colour": "red"}, "colour"),
])
def test_bad_input_is_a_422_naming_the_field(app, staff, body, field):
    refused = api(app, "admin").post(URL, json=body)
    assert refused.status_code == 422, refused.get_json()
    assert list(refused.get_json()["error"]["fields"]) == [field]


def test_a_second_target_for_the_same_month_and_holder_is_a_409_under_month(app, staff):
    admin = api(app, "admin")
    create(admin, month="2026-01", user_id=staff["north"], amount="1")
    refused = admin.post(URL, json={"month": "2026-01", "user_id": staff["north"], "amount": "2"})
    assert refused.status_code == 409 and list(refused.get_json()["error"]["fields"]) == ["month"]


@pytest.mark.parametrize("holder", ["user_id", "department_id"])
def test_a_holder_that_does_not_exist_is_a_404_naming_it(app, staff, holder):
    refused = api(app, "admin").post(URL, json={"month": "2026-01", holder: 99999, "amount": "1"})
    assert refused.status_code == 404 and list(refused.get_json()["error"]["fields"]) == [holder]


def test_an_amount_sent_as_a_json_number_is_refused_never_rounded(app, staff):
    made = create(api(app, "admin"), month="2026-01", user_id=staff["north"], amount="1")
    refused = api(app, "admin").patch(URL + f"/{made['id']}", json={"amount": 0.1})
    assert refused.status_code == 422 and list(refused.get_json()["error"]["fields"]) == ["amount"]


@pytest.mark.parametrize("language, expected", [("ru", "Укажите сотрудника или отдел."),
                                                ("kk", "Қызметкерді немесе бөлімді көрсетіңіз.")])
def test_field_messages_are_in_the_caller_s_language(app, staff, language, expected):
    refused = api(app, "admin", language).post(URL, json={"month": "2026-01", "amount": "1"})
    assert refused.get_json()["error"]["fields"]["user_id"] == [expected]


def test_the_openapi_document_describes_the_targets_for_an_admin_and_not_an_agent(app, staff):
    document = api(app, "admin").get("/api/v1/openapi.json").get_json()
    validate(document)
    assert set(document["paths"][URL]) == {"get", "post"}
    assert {"get", "patch", "delete"} <= set(document["paths"][URL + "/{target_id}"])
    assert URL not in api(app, "north").get("/api/v1/openapi.json").get_json()["paths"]


def test_a_target_number_beyond_the_columns_integers_is_not_found(app, staff):
    admin = api(app, "admin")
    for method in ("get", "patch", "delete"):
        assert getattr(admin, method)(URL + f"/{2**31}").status_code == 404
