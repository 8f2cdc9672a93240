"""Helpers of the record picker tests: organisations and people made through the real forms, and
the picker's wire format (the chosen id as ``organization_id``, the text box as ``organization_id-title``)."""

from __future__ import annotations

from sqlalchemy import func, select

from crmkit import db
from crmkit.core.contacts.models import Person
from tests.conftest import add_user, csrf_token, login

AGENT = ("agent@example.com", "a long agent passphrase")


def post(client, path, **fields):
    return client.post(path, data={"csrf_token": csrf_token(client, "/"), **fields})


def new_organization(client, name, **fields) -> int:
    """Saved even when the name looks like another's (the tests mean it): confirm_warnings."""
    response = post(client, "/organization/new", name=name, confirm_warnings="1", **fields)
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.location.rstrip("/").rsplit("/", 1)[-1])


def new_person(client, name="Серикбаев Нурлан", **fields):
    """POST the person form, past the likely-duplicate warning; the response (a redirect when
    saved, the form again when not)."""
    return post(client, "/person/new", name=name, confirm_warnings="1", **fields)


def typed(text, chosen=""):
    """A picker's fields as the browser sends them: what is in the box, and the id chosen (if any)."""
    return {"organization_id-title": text, "organization_id": chosen}


def person_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.location.rstrip("/").rsplit("/", 1)[-1])


def organization_of(app, record_id):
    with app.app_context():
        return db.session().get(Person, record_id).organization_id


def people_count(app) -> int:
    with app.app_context():
        return db.session().execute(select(func.count()).select_from(Person)).scalar_one()


def agent_client(app):
    add_user(app, *AGENT, role="agent", name="Agent")
    client = app.test_client()
    assert login(client, *AGENT).status_code == 302
    return client


def suggested(client, entity_key="organization", **args) -> list[str]:
    response = client.get(f"/-/pick/{entity_key}", query_string=args)
    assert response.status_code == 200, response.status_code
    return [row["title"] for row in response.get_json()["results"]]

