"""Helpers of the merge tests: the service as a user, and the merge and undo a user clicks through."""

from __future__ import annotations

import re
import types
from pathlib import Path

from sqlalchemy import select

from crmkit import db, hookimpl
from crmkit.core.auth.models import User
from crmkit.entities.history import Change
from crmkit.entities.service import Records
from tests.conftest import ADMIN_EMAIL, csrf_token

INLINE = Path(__file__).parent / "plugins" / "inline"


def records(app, key, as_user=ADMIN_EMAIL) -> Records:
    """The service for ``key`` as a user; call inside an app or request context."""
    session = db.session()
    user = session.execute(select(User).where(User.email == as_user)).scalar_one()
    return Records(app.extensions["crmkit"].entities.get(key), user, session)


def create(app, key, as_user=ADMIN_EMAIL, **values) -> int:
    with app.test_request_context():
        return records(app, key, as_user).create(values).id


def fetch(app, model, record_id):
    with app.app_context():
        return db.session().get(model, record_id)


def history(app, key, record_id) -> list[Change]:
    with app.app_context():
        statement = select(Change).where(Change.entity == key, Change.record_id == record_id).order_by(Change.id)
        return list(db.session().execute(statement).scalars())


def label(app, key) -> str:
    """The entity's label as an English page shows it."""
    with app.test_request_context():
        return str(app.extensions["crmkit"].entities.get(key).label)


def hidden(page: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', page).group(1)


def merge(client, key, keep, other, **picks):
    """Open the merge page and confirm it, picking ``field="kept"|"merged"|"both"``."""
    page = client.get(f"/duplicates/merge?entity={key}&keep={keep}&merge={other}").get_data(as_text=True)
    data = {name: hidden(page, name) for name in ("csrf_token", "entity", "keep", "merge", "keep_version", "merge_version")}
    data.update({f"pick.{name}": pick for name, pick in picks.items()})
    return client.post("/duplicates/merge", data=data)


def undo(client, key, record_id):
    page = client.get(f"/{key}/{record_id}").get_data(as_text=True)
    found = re.search(r'<form method="post" action="(/duplicates/undo/\d+)"', page)
    assert found, "no Undo merge button"
    return client.post(found.group(1), data={"csrf_token": csrf_token(client, f"/{key}/{record_id}")})


def plugin(name, **impls):
    module = types.ModuleType(name)
    module.__file__ = str(INLINE / "hooks.py")
    for hook, function in impls.items():
        setattr(module, hook, hookimpl(specname=hook)(function))
    return module
