"""Helpers for tests that act as admins, managers and agents through the real pages."""

from __future__ import annotations

import re

from tests.conftest import add_user, csrf_token, login

PASSWORD = "a long enough password"


def person(app, email, role="agent", **fields):
    """A user made as `crmkit user create` makes one; returns their id."""
    return add_user(app, email, PASSWORD, role=role, **fields).id


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
