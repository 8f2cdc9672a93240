"""Helpers for tests that act as admins, managers and agents through the real pages."""

from __future__ import annotations

import re

from crmkit import db
from crmkit.core.access.models import Department
from crmkit.core.auth.models import User
from tests.conftest import add_user, csrf_token, login

PASSWORD = "a long enough password"
# The permission matrices' staff: an admin, "boss" managing Sales, "north" an agent in Sales North
# (under Sales) reporting to boss, "support" an agent in Support.
MATRIX_ROLES = {"admin": "admin", "boss": "manager", "north": "agent", "support": "agent"}


def person(app, email, role="agent", **fields):
    """A user made as `crmkit user create` makes one; returns their id."""
    return add_user(app, email, PASSWORD, role=role, **fields).id


def matrix_staff(app, password=PASSWORD) -> None:
    """The departments and the users of ``MATRIX_ROLES``, as ``<who>@example.com``."""
    with app.app_context():
        session = db.session()
        sales = Department(name="Sales")
        session.add(sales)
        session.flush()
        north, support = Department(name="Sales North", parent_id=sales.id), Department(name="Support")
        session.add_all([north, support])
        session.commit()
        departments = {"admin": None, "boss": sales.id, "north": north.id, "support": support.id}
    users = {who: add_user(app, f"{who}@example.com", password, role=role, department_id=departments[who]).id
             for who, role in MATRIX_ROLES.items()}
    with app.app_context():
        session = db.session()
        session.get(User, users["north"]).manager_id = users["boss"]
        session.commit()


def client_as(app, email, password=PASSWORD):
    client = app.test_client()
    assert login(client, email, password).status_code == 302, f"{email} could not log in"
    return client


def post(client, url, data, token_from="/"):
    """POST a form with the CSRF token a page hands out, as a browser would."""
    return client.post(url, data={"csrf_token": csrf_token(client, token_from), **data})


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def new_department(admin, name, office_id="", parent_id="", head_id="") -> int:
    response = post(
        admin, "/admin/org",
        {"kind": "department", "name": name, "office_id": office_id, "parent_id": parent_id, "head_id": head_id},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    found = re.findall(r'href="/admin/org/departments/(\d+)">' + re.escape(name) + "<", page(admin, "/admin/org"))
    return int(found[0])


def new_project(client, name) -> str:
    response = post(client, "/projects/project/new", {"name": name, "status": "planned"}, "/projects/project/new")
    assert response.status_code == 302, response.status_code
    return response.location
