"""Users, their departments and offices, and clients logged in as them, the way tests need them.

Users are made by the same service as ``crmkit user create`` and log in through the real login
form (with its CSRF token), so a test acts as a person would; API clients carry a real token.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from crmkit import db
from crmkit.core.access.models import Department, Office, Role
from crmkit.core.api.tokens import create_token
from crmkit.core.auth.models import User
from crmkit.core.auth.service import create_user, find_user

TEST_SECRET = "test-secret-key-used-only-by-the-test-suite"
ADMIN_EMAIL, ADMIN_PASSWORD = "admin@example.com", "correct horse battery"
PASSWORD = ADMIN_PASSWORD  # every user made by make_user has it unless given another


def add_user(app: Flask, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD, **fields) -> User:
    """A user made as ``crmkit user create`` makes one (``is_admin=True``, ``role=...``, ``name=...``)."""
    with app.app_context():
        return create_user(db.session(), email, password, **fields)


def csrf_token(client: FlaskClient, url: str = "/login") -> str:
    """The CSRF token a page hands out, as a browser would read it from the form."""
    page = client.get(url).get_data(as_text=True)
    found = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page)
    assert found, f"no CSRF token on {url}"
    return found.group(1)


def login(client: FlaskClient, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD):
    """Post the login form; the answer is a 302 when the user is in."""
    return client.post("/login", data={"email": email, "password": password, "csrf_token": csrf_token(client)})


def logged_in_client(app: Flask, email: str, password: str) -> FlaskClient:
    client = app.test_client()
    response = login(client, email, password)
    assert response.status_code == 302, f"{email} could not log in (HTTP {response.status_code})"
    return client


def token_client(app: Flask, email: str = ADMIN_EMAIL) -> FlaskClient:
    """A test client whose requests carry a new API token of the user with ``email``."""
    with app.app_context():
        token = create_token(db.session(), find_user(db.session(), email), "tests")[1]
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def office_named(session: Session, name: str) -> Office:
    office = session.exec(select(Office).where(Office.name == name)).first()
    if office is None:
        office = Office(name=name)
        session.add(office)
        session.flush()
    return office


def department_named(session: Session, name: str, office: Office | None = None) -> Department:
    """The department called ``name`` (in ``office`` when given), made when there is none."""
    query = select(Department).where(Department.name == name)
    if office is not None:
        query = query.where(Department.office_id == office.id)
    department = session.exec(query.order_by(Department.id)).first()
    if department is None:
        department = Department(name=name, office_id=office.id if office else None)
        session.add(department)
        session.flush()
    return department


def id_of(value: Any) -> int | None:
    return value if value is None or isinstance(value, int) else value.id


class Users:
    """What ``make_user`` makes: numbered emails, and each user's password for logging in later."""

    def __init__(self, app_of):
        self.app_of = app_of  # the test's app, built only when a user is asked for without one
        self.passwords: dict[str, str] = {}
        self.apps: dict[str, Flask] = {}
        self.numbers = itertools.count(1)

    def make(
        self,
        role: str = "agent",
        *,
        email: str | None = None,
        password: str | None = None,
        department: str | int | Department | None = None,
        office: str | int | Office | None = None,
        manager: int | User | None = None,
        app: Flask | None = None,
        **fields,
    ) -> User:
        app = app or self.app_of()
        number = next(self.numbers)
        email = email or f"{role}-{number}@example.com"
        password = password or PASSWORD
        fields.setdefault("name", f"{role.replace('_', ' ').title()} {number}")
        with app.app_context():
            session = db.session()
            if session.get(Role, role) is None:
                known = ", ".join(sorted(session.exec(select(Role.name)).all()))
                raise ValueError(f"no role named {role!r}; the roles are: {known}")
            place = office_named(session, office) if isinstance(office, str) else office
            if isinstance(place, int):
                place = session.get(Office, place)
            if isinstance(department, str):
                department = department_named(session, department, place)
            elif department is None and place is not None:
                department = department_named(session, place.name, place)  # an office is reached through one
            if department is not None:
                fields["department_id"] = id_of(department)
            if manager is not None:
                fields["manager_id"] = id_of(manager)
            session.commit()
            user = create_user(session, email, password, role=role, **fields)
        self.passwords[user.email], self.apps[user.email] = password, app
        return user

    def app_for(self, user: User, app: Flask | None) -> Flask:
        return app or self.apps.get(user.email) or self.app_of()

    def client(self, who: str | User = "agent", *, app: Flask | None = None, password: str | None = None) -> FlaskClient:
        user = self.make(who, app=app) if isinstance(who, str) else who
        password = password or self.passwords.get(user.email) or PASSWORD
        return logged_in_client(self.app_for(user, app), user.email, password)

    def api_client(self, who: str | User = "admin", *, app: Flask | None = None) -> FlaskClient:
        user = self.make(who, app=app) if isinstance(who, str) else who
        return token_client(self.app_for(user, app), user.email)
