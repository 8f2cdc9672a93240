"""A field naming a user (``metadata={"link": "user"}``): a complaint's responsible, a project's
reviewer, an admin's custom field of kind "user"; on forms, pages, lists, filters, history, the
API, the OpenAPI document, import and export."""

import re

import pytest
from openapi_spec_validator import validate
from sqlalchemy import select

from crmkit import db
from crmkit.core.auth.models import User
from crmkit.core.records.models import CustomField
from tests.conftest import add_user, csrf_token, login, token_client
from tests.plugins.casework import hooks as casework
from tests.plugins.casework.hooks import Complaint
from tests.plugins.projects import hooks as projects

LIST = "/casework/complaint/"
API = "/api/v1/casework/complaint"


@pytest.fixture
def app(make_app):
    return make_app(plugins=[projects, casework], CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")


@pytest.fixture
def staff(app):
    """An admin, two agents and a former employee: ids by who."""
    ids = {"admin": add_user(app, is_admin=True, name="Admin").id}
    ids["aigul"] = add_user(app, "aigul@example.kz", "a long enough password", name="Aigul Serik").id
    ids["boris"] = add_user(app, "boris@example.kz", "a long enough password", name="Boris Li").id
    ids["gone"] = add_user(app, "gone@example.kz", "a long enough password", name="Former Clerk").id
    return ids


@pytest.fixture
def admin(app, staff):
    client = app.test_client()
    login(client)
    return client


def deactivate(app, user_id):
    with app.app_context():
        db.session().get(User, user_id).is_active = False
        db.session().commit()


def complaint(app, **values):
    with app.app_context():
        row = Complaint(**{"name": "Late delivery", "owner_id": 1, **values})
        db.session().add(row)
        db.session().commit()
        return row.id


def stored(app, record_id):
    with app.app_context():
        return db.session().get(Complaint, record_id)


def save_form(client, url, **fields):
    return client.post(url, data={"csrf_token": csrf_token(client, url), **fields})


def test_the_form_offers_active_users_and_saves_the_one_chosen(app, staff, admin):
    deactivate(app, staff["gone"])
    page = admin.get("/casework/complaint/new").get_data(as_text=True)
    select_box = re.search(r'<select id="f-responsible_id".*?</select>', page, re.S).group(0)
    assert "Aigul Serik" in select_box and "Boris Li" in select_box and "Former Clerk" not in select_box
    response = save_form(admin, "/casework/complaint/new", name="Noisy neighbours", responsible_id=str(staff["boris"]))
    assert response.status_code == 302
    assert stored(app, 1).responsible_id == staff["boris"]


def test_a_user_no_longer_active_stays_on_the_form_and_is_kept_on_saving(app, staff, admin):
    record_id = complaint(app, responsible_id=staff["gone"])
    deactivate(app, staff["gone"])
    url = f"/casework/complaint/{record_id}/edit"
    page = admin.get(url).get_data(as_text=True)
    assert re.search(rf'<option value="{staff["gone"]}" selected>Former Clerk \(inactive\)</option>', page)
    response = save_form(admin, url, name="Late delivery, again", responsible_id=str(staff["gone"]), version="1")
    assert response.status_code == 302
    assert stored(app, record_id).responsible_id == staff["gone"]


def test_naming_an_inactive_user_anew_is_refused_under_the_field(app, staff, admin):
    deactivate(app, staff["gone"])
    response = save_form(admin, "/casework/complaint/new", name="Broken lift", responsible_id=str(staff["gone"]))
    assert response.status_code == 422
    assert "Not an active user." in response.get_data(as_text=True)


def test_record_pages_and_lists_show_the_users_name(app, staff, admin):
    record_id = complaint(app, responsible_id=staff["aigul"])
    page = admin.get(f"/casework/complaint/{record_id}").get_data(as_text=True)
    assert re.search(r"<dt>Responsible</dt>\s*<dd>Aigul Serik</dd>", page)
    listing = admin.get(LIST).get_data(as_text=True)
    assert re.search(r"<td[^>]*>Aigul Serik</td>", listing)


def test_the_list_filters_by_a_user_former_ones_too_and_by_me_and_sorts_by_the_field(app, staff, admin):
    deactivate(app, staff["gone"])
    complaint(app, name="Mine", responsible_id=staff["admin"])
    complaint(app, name="Hers", responsible_id=staff["aigul"])
    mine = admin.get(LIST + "?responsible_id=me").get_data(as_text=True)
    assert ">Mine<" in mine and ">Hers<" not in mine
    hers = admin.get(LIST + f"?responsible_id={staff['aigul']}").get_data(as_text=True)
    assert ">Hers<" in hers and ">Mine<" not in hers
    filters = re.search(r'<select name="responsible_id">.*?</select>', admin.get(LIST).get_data(as_text=True), re.S).group(0)
    assert '<option value="me">Me</option>' in filters and "Former Clerk (inactive)" in filters
    ordered = admin.get(LIST + "?sort=-responsible_id").get_data(as_text=True)
    assert ordered.index(">Hers<") < ordered.index(">Mine<")


def test_the_history_names_the_users_before_and_after(app, staff, admin):
    save_form(admin, "/casework/complaint/new", name="Leak", responsible_id=str(staff["aigul"]))
    save_form(admin, "/casework/complaint/1/edit", name="Leak", responsible_id=str(staff["boris"]), version="1")
    page = admin.get("/casework/complaint/1").get_data(as_text=True)
    assert re.search(r"Responsible: <del>Aigul Serik</del> → <ins>Boris Li</ins>", page)


def test_the_api_takes_and_gives_the_users_id(app, staff):
    client = token_client(app)
    created = client.post(API, json={"name": "Cold radiators", "responsible_id": staff["boris"]})
    assert created.status_code == 201 and created.get_json()["responsible_id"] == staff["boris"]
    assert client.get(f"{API}?responsible_id=me").get_json()["items"] == []
    assert len(client.get(f"{API}?responsible_id={staff['boris']}").get_json()["items"]) == 1


@pytest.mark.parametrize("who", ["nobody", "gone"])
def test_the_api_refuses_an_unknown_or_inactive_user_under_the_field(app, staff, who):
    deactivate(app, staff["gone"])
    client = token_client(app)
    response = client.post(API, json={"name": "Cold radiators", "responsible_id": staff.get(who, 999)})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"responsible_id": ["Not an active user."]}


def test_the_refusal_is_in_the_callers_language(app, staff):
    client = token_client(app)
    response = client.post(API, json={"name": "Холодно", "responsible_id": 999}, headers={"Accept-Language": "ru"})
    assert response.get_json()["error"]["fields"]["responsible_id"] == ["Нет такого активного пользователя."]


def test_an_api_change_of_other_fields_keeps_an_inactive_user(app, staff):
    record_id = complaint(app, responsible_id=staff["gone"])
    deactivate(app, staff["gone"])
    client = token_client(app)
    response = client.patch(f"{API}/{record_id}", json={"name": "Renamed"}, headers={"If-Match": '"1"'})
    assert response.status_code == 200 and response.get_json()["responsible_id"] == staff["gone"]


def test_the_openapi_document_says_the_field_names_a_user_and_its_filter_takes_me(app, staff):
    spec = token_client(app).get("/api/v1/openapi.json").get_json()
    validate(spec)
    prop = spec["components"]["schemas"]["CaseworkComplaint"]["properties"]["responsible_id"]
    assert prop["x-crmkit-link"] == "user" and prop["minimum"] == 1 and "active user" in prop["description"]
    [parameter] = [p for p in spec["paths"][API]["get"]["parameters"] if p["name"] == "responsible_id"]
    assert re.fullmatch(parameter["schema"]["pattern"], "me") and not re.fullmatch(parameter["schema"]["pattern"], "0")


def test_an_import_names_users_by_id_email_or_full_name_and_the_export_by_name(app, staff, admin, tmp_path):
    text = f"Subject,Responsible\nOne,{staff['aigul']}\nTwo,BORIS@example.kz\nThree,Aigul Serik\nFour,Nobody Here\n"
    (tmp_path / "complaints.csv").write_text(text, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["import", "casework.complaint", str(tmp_path / "complaints.csv")])
    assert "row 5, Responsible (responsible_id): No active user has the email or name Nobody Here." in result.output
    with app.app_context():
        rows = db.session().execute(select(Complaint.name, Complaint.responsible_id).order_by(Complaint.id)).all()
    assert rows == [("One", staff["aigul"]), ("Two", staff["boris"]), ("Three", staff["aigul"])]
    exported = admin.get("/transfer/casework.complaint/export").get_data(as_text=True)
    assert ",One,,Aigul Serik," in exported and ",Two,,Boris Li," in exported


def test_an_extension_field_names_a_user_on_the_form_and_the_page(app, staff, admin):
    save_form(admin, "/projects/project/new", name="Flat", status="planned", **{"casework.reviewer_id": str(staff["boris"])})
    page = admin.get("/projects/project/1").get_data(as_text=True)
    assert re.search(r"<dt>Reviewer</dt>\s*<dd>Boris Li</dd>", page)
    form = admin.get("/projects/project/1/edit").get_data(as_text=True)
    assert re.search(rf'<option value="{staff["boris"]}" selected>Boris Li</option>', form)


def test_an_admin_adds_a_custom_field_of_kind_user(app, staff, admin):
    response = save_form(admin, "/admin/fields/", entity="projects.project", name="inspector", label="Inspector", type="user")
    assert response.status_code == 302
    with app.app_context():
        assert db.session().execute(select(CustomField.type)).scalar_one() == "user"
    client = token_client(app)
    refused = client.post("/api/v1/projects/project", json={"name": "Flat", "custom": {"inspector": 999}})
    assert refused.get_json()["error"]["fields"] == {"custom.inspector": ["Not an active user."]}
    created = client.post("/api/v1/projects/project", json={"name": "Flat", "custom": {"inspector": staff["aigul"]}})
    assert created.status_code == 201
    page = admin.get(f"/projects/project/{created.get_json()['id']}").get_data(as_text=True)
    assert re.search(r"<dt>Inspector</dt>\s*<dd>Aigul Serik</dd>", page)
