"""The API's input handling, fixed once in the framework: JSON depth, list cursors, whole numbers,
dates and If-Match are checked the same way for every entity, plugins' and admins' fields included."""

import base64
import json
from datetime import date

import pytest
from marshmallow import ValidationError
from marshmallow import fields as mf

from crmkit import db
from crmkit.core.records.models import CustomField
from crmkit.entities.fields import StrictInput, typed_input
from tests.conftest import add_user, login, token_client
from tests.plugins.campaigns import hooks as campaigns
from tests.plugins.projects import hooks as projects
from tests.plugins.scoring import hooks as scoring

API = "/api/v1"
# A valid new record of each entity, and the path it lives at.
VALID = {
    "person": {"name": "Aigerim"},
    "organization": {"name": "Kazakh Steppe LLP"},
    "activity": {"kind": "note", "body": "Called back"},
    "projects/project": {"name": "Flat"},
}


@pytest.fixture
def app(make_app):
    app = make_app(plugins=[projects, scoring, campaigns], CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")
    with app.app_context():
        session = db.session()
        session.add(CustomField(entity="projects.project", name="ref", label="Ref", type="link", link="person"))
        session.add(CustomField(entity="projects.project", name="signed", label="Signed", type="date"))
        session.commit()
    return app


@pytest.fixture
def api(app):
    add_user(app, is_admin=True, name="Admin")
    return token_client(app)


def create(api, path, **fields):
    response = api.post(f"{API}/{path}", json={**VALID[path], **fields})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def count(api, path) -> int:
    return api.get(f"{API}/{path}?archived=true").get_json()["total"]


def error_fields(response) -> dict:
    return response.get_json()["error"]["fields"]


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# 1. JSON nested a thousand levels deep
@pytest.mark.parametrize("path", VALID)
def test_a_body_nested_a_thousand_levels_deep_is_400_naming_the_body(api, path):
    response = api.post(f"{API}/{path}", data='{"name": ' + nested(1000) + "}", content_type="application/json")
    assert response.status_code == 400
    assert list(error_fields(response)) == ["_body"]
    assert count(api, path) == 0


def test_a_patch_nested_too_deeply_is_400_and_changes_nothing(api):
    record = create(api, "person")
    body = '{"name": ' + nested(5000) + "}"
    response = api.patch(f"{API}/person/{record['id']}", data=body, content_type="application/json", headers={"If-Match": '"1"'})
    assert response.status_code == 400 and "_body" in error_fields(response)
    assert api.get(f"{API}/person/{record['id']}").get_json()["version"] == 1


def test_a_body_nested_like_real_records_still_loads(api):
    response = api.post(f"{API}/projects/project", json={"name": "Flat", "campaigns": {"utm_source": "mail"}})
    assert response.status_code == 201


# 2. list cursors the list did not write
def cursor(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


FOREIGN_CURSORS = [
    [None, None],
    ["x", "y"],
    [1.5, 1],
    [True, 1],
    [[1], 2],
    [{"a": 1}, 2],
    ["2026-01-01", 2**70],
    [None, "1"],
    {"a": 1},
]


@pytest.mark.parametrize("path", VALID)
def test_a_cursor_the_list_did_not_write_is_400_naming_the_parameter(api, path):
    for side in ("after", "before"):
        for values in FOREIGN_CURSORS:
            response = api.get(f"{API}/{path}?{side}={cursor(values)}")
            assert (response.status_code, list(error_fields(response))) == (400, [side]), (side, values)


def test_a_list_page_given_a_cursor_it_did_not_write_starts_again(app, api):
    client = app.test_client()
    login(client)
    for path in VALID:
        for values in FOREIGN_CURSORS:
            response = client.get(f"/{path}/?after={cursor(values)}")
            assert (response.status_code, response.location) == (302, f"/{path}/"), (path, values)


@pytest.mark.parametrize("sort", ["name", "-name", "due", "budget", "-id"])
def test_cursors_the_list_wrote_still_page_through_it(api, sort):
    for name, due, budget in [("A", "2026-01-01", "5.00"), ("B", None, None), ("C", "2026-03-01", "7.50")]:
        create(api, "projects/project", name=name, due=due, budget=budget)
    seen, url = [], f"{API}/projects/project?limit=1&sort={sort}"
    while url:
        page = api.get(url).get_json()
        seen += [item["name"] for item in page["items"]]
        url = page["next"]
    assert sorted(seen) == ["A", "B", "C"]
    back = api.get(f"{API}/projects/project?limit=1&sort={sort}&before=" + cursor_of_last(api, sort)).get_json()
    assert back["items"]


def cursor_of_last(api, sort) -> str:
    first = api.get(f"{API}/projects/project?limit=2&sort={sort}").get_json()
    return api.get(first["next"]).get_json()["prev"].split("before=")[1].split("&")[0]


# 8. integer fields never truncate
@pytest.mark.parametrize(
    ("path", "fields", "at_fault"),
    [
        ("person", {"organization_id": 1.5}, ["organization_id"]),
        ("person", {"organization_id": True}, ["organization_id"]),
        ("person", {"organization_id": "1"}, ["organization_id"]),
        ("activity", {"about_entity": "person", "about_id": 1e-300}, ["about_id"]),
        ("activity", {"duration_seconds": 59.9}, ["duration_seconds"]),
        ("projects/project", {"scoring": {"score": 5.5}}, ["scoring.score"]),
        ("projects/project", {"campaigns": {"landing_visits": False}}, ["campaigns.landing_visits"]),
        ("projects/project", {"custom": {"ref": 1.25}}, ["custom.ref"]),
    ],
)
def test_integer_fields_refuse_fractions_booleans_and_strings(api, path, fields, at_fault):
    create(api, "organization")  # id 1 for the links to point at, were a value truncated
    create(api, "person")
    before = count(api, path)
    response = api.post(f"{API}/{path}", json={**VALID[path], **fields})
    assert response.status_code == 422, response.get_json()
    assert list(error_fields(response)) == at_fault
    assert count(api, path) == before


def test_integer_fields_take_whole_numbers_from_json(api):
    organization = create(api, "organization")
    person = create(api, "person", organization_id=organization["id"])
    assert person["organization_id"] == organization["id"]
    project = create(api, "projects/project", scoring={"score": 40}, custom={"ref": person["id"]})
    assert project["scoring"]["score"] == 40 and project["custom"]["ref"] == person["id"]


# 9. dates: ISO 8601 of a sane length, years 1900 to 2200
BAD_DATES = ["111111111111111111111111111111", "11111111", "20260101", "1899-12-31", "2201-01-01", "0001-01-01",
             "2026-1-1", "2026-01-01" + " " * 40, "２０２６-01-01", "2026-02-30"]


@pytest.mark.parametrize(
    ("path", "field"),
    [("person", "birthday"), ("projects/project", "due"), ("activity", "happened_at"), ("activity", "reminder_at")],
)
def test_dates_outside_iso_8601_or_the_years_1900_to_2200_are_refused(api, path, field):
    for value in BAD_DATES:
        response = api.post(f"{API}/{path}", json={**VALID[path], field: value})
        assert (response.status_code, list(error_fields(response))) == (422, [field]), value
    assert count(api, path) == 0


@pytest.mark.parametrize("value", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00", "111111111111111111111111111111"])
def test_datetimes_outside_the_range_are_refused_whatever_their_offset(api, value):
    response = api.post(f"{API}/activity", json={**VALID["activity"], "happened_at": value})
    assert response.status_code == 422 and list(error_fields(response)) == ["happened_at"]


def test_a_custom_date_field_is_checked_like_any_date(api):
    response = api.post(f"{API}/projects/project", json={"name": "Flat", "custom": {"signed": "11111111"}})
    assert response.status_code == 422 and error_fields(response) == {"custom.signed": [DATE_MESSAGE]}


DATE_MESSAGE = "Enter a date as YYYY-MM-DD, between the years 1900 and 2200."


def test_the_date_message_is_in_the_callers_language(api):
    response = api.post(f"{API}/person", json={"name": "A", "birthday": "1111-11-11"}, headers={"Accept-Language": "ru"})
    message = error_fields(response)["birthday"][0]
    assert message != DATE_MESSAGE and "1900" in message and "2200" in message


@pytest.mark.parametrize(
    ("path", "field", "value", "shown"),
    [
        ("person", "birthday", "1990-05-17", "1990-05-17"),
        ("activity", "happened_at", "2026-05-17T10:30:00+05:00", "2026-05-17T05:30:00+00:00"),
        ("activity", "happened_at", "2026-05-17T05:30:00.123456Z", "2026-05-17T05:30:00.123456+00:00"),
        ("activity", "happened_at", "2026-05-17T10:30", "2026-05-17T05:30:00+00:00"),  # read in Asia/Almaty
    ],
)
def test_iso_dates_in_range_are_taken(api, path, field, value, shown):
    assert create(api, path, **{field: value})[field] == shown


# 10. If-Match on DELETE, like PATCH
@pytest.mark.parametrize("method", ["delete", "patch"])
def test_a_malformed_if_match_is_400_and_nothing_changes(api, method):
    record = create(api, "person")
    for header in ["{}", "abc", 'W/"x"', '"1', '"1", "2"', "*", "-1", '"' + "9" * 40 + '"']:
        url = f"{API}/person/{record['id']}"
        response = getattr(api, method)(url, json={"name": "Changed"}, headers={"If-Match": header})
        assert (response.status_code, list(error_fields(response))) == (400, ["If-Match"]), header
    saved = api.get(f"{API}/person/{record['id']}").get_json()
    assert saved["archived_at"] is None and saved["name"] == "Aigerim" and saved["version"] == 1


def test_delete_without_if_match_is_428_and_archives_nothing(api):
    record = create(api, "person")
    response = api.delete(f"{API}/person/{record['id']}")
    assert response.status_code == 428 and "version" in error_fields(response)
    assert api.get(f"{API}/person/{record['id']}").get_json()["archived_at"] is None


@pytest.mark.parametrize("header", ['"1"', 'W/"1"', "1"])
def test_delete_with_the_version_read_archives(api, header):
    record = create(api, "person")
    response = api.delete(f"{API}/person/{record['id']}", headers={"If-Match": header})
    assert response.status_code == 200 and response.get_json()["archived_at"] is not None


def test_delete_with_a_stale_version_is_409(api):
    record = create(api, "person")
    api.patch(f"{API}/person/{record['id']}", json={"name": "Renamed"}, headers={"If-Match": '"1"'})
    assert api.delete(f"{API}/person/{record['id']}", headers={"If-Match": '"1"'}).status_code == 409


# the framework's strict reading, outside the API
class Declared(StrictInput):
    count = mf.Integer(allow_none=True)
    signed = mf.Date(format="%d.%m.%Y", allow_none=True)


def test_forms_may_send_whole_numbers_as_text_but_json_may_not():
    assert Declared().load({"count": "12"}) == {"count": 12}
    with typed_input(), pytest.raises(ValidationError) as refused:
        Declared().load({"count": "12"})
    assert list(refused.value.messages) == ["count"]
    for text in ("1.5", " 12", "١٢", "1_000"):
        with pytest.raises(ValidationError):
            Declared().load({"count": text})


def test_a_date_in_a_format_of_its_own_is_held_to_the_same_years():
    assert Declared().load({"signed": "31.12.2026"}) == {"signed": date(2026, 12, 31)}
    with pytest.raises(ValidationError) as refused:
        Declared().load({"signed": "31.12.1899"})
    assert list(refused.value.messages) == ["signed"]
