"""API tokens: made with `crmkit user token` or on /account/tokens, shown once, stored hashed,
revocable, and useless once revoked or once their user is deactivated."""

import hashlib
import re

import pytest
from sqlalchemy import select

from crmkit import db
from crmkit.core.api.models import ApiToken
from crmkit.core.auth.service import find_user
from tests.conftest import ADMIN_EMAIL, add_user, csrf_token, login
from tests.plugins.projects import hooks as projects

URL = "/api/v1/projects/project"


@pytest.fixture
def app(make_app):
    return make_app(plugins=[projects], CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")


@pytest.fixture
def admin(app):
    return add_user(app, is_admin=True)


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def cli_token(app, email=ADMIN_EMAIL, *extra):
    result = app.test_cli_runner().invoke(args=["user", "token", email, *extra])
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def stored_tokens(app):
    with app.app_context():
        return list(db.session().execute(select(ApiToken)).scalars())


def test_the_token_command_prints_a_token_that_calls_the_api(app, admin):
    token = cli_token(app, ADMIN_EMAIL, "--name", "backup script")
    assert app.test_client().get(URL, headers=bearer(token)).status_code == 200
    assert [t.name for t in stored_tokens(app)] == ["backup script"]


def test_only_the_hash_and_a_short_prefix_of_a_token_are_stored(app, admin):
    token = cli_token(app)
    (row,) = stored_tokens(app)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token.startswith(row.prefix) and len(row.prefix) < len(token) // 3
    assert token not in repr(row.model_dump())


def test_the_token_command_refuses_an_unknown_user(app):
    result = app.test_cli_runner().invoke(args=["user", "token", "nobody@example.com"])
    assert result.exit_code != 0 and "nobody@example.com" in result.output


def test_using_a_token_records_when_it_was_last_used(app, admin):
    token = cli_token(app)
    assert stored_tokens(app)[0].last_used_at is None
    app.test_client().get(URL, headers=bearer(token))
    assert stored_tokens(app)[0].last_used_at is not None


def test_a_deactivated_users_tokens_stop_working(app, admin):
    token = cli_token(app)
    with app.app_context():
        user = find_user(db.session(), ADMIN_EMAIL)
        user.is_active = False
        db.session().commit()
    assert app.test_client().get(URL, headers=bearer(token)).status_code == 401


def test_a_token_opens_only_the_api_not_the_pages(app, admin):
    token = cli_token(app)
    assert app.test_client().get("/projects/project/", headers=bearer(token)).status_code == 302


def test_the_tokens_page_creates_a_token_shown_once(app, admin):
    client = app.test_client()
    login(client)
    created = client.post("/account/tokens/", data={"name": "zapier", "csrf_token": csrf_token(client, "/account/tokens/")})
    page = created.get_data(as_text=True)
    token = re.search(r'<code class="new-token">([^<]+)</code>', page).group(1)
    assert created.status_code == 201 and created.headers["Cache-Control"] == "no-store"
    assert app.test_client().get(URL, headers=bearer(token)).status_code == 200
    listing = client.get("/account/tokens/").get_data(as_text=True)
    assert "zapier" in listing and token not in listing


def test_creating_a_token_on_the_page_needs_the_csrf_token(app, admin):
    client = app.test_client()
    login(client)
    assert client.post("/account/tokens/", data={"name": "x"}).status_code == 400
    assert stored_tokens(app) == []


def test_revoking_a_token_on_the_page_stops_it(app, admin):
    token = cli_token(app)
    client = app.test_client()
    login(client)
    (row,) = stored_tokens(app)
    response = client.post(f"/account/tokens/{row.id}/revoke", data={"csrf_token": csrf_token(client, "/account/tokens/")})
    assert response.status_code == 302
    assert app.test_client().get(URL, headers=bearer(token)).status_code == 401
    assert "Revoked" in client.get("/account/tokens/").get_data(as_text=True)


def test_users_see_and_revoke_only_their_own_tokens(app, admin):
    cli_token(app)
    add_user(app, "agent@example.com", "a long agent passphrase", role="agent")
    agent = app.test_client()
    login(agent, "agent@example.com", "a long agent passphrase")
    (row,) = stored_tokens(app)
    assert row.prefix not in agent.get("/account/tokens/").get_data(as_text=True)
    token = csrf_token(agent, "/account/tokens/")
    assert agent.post(f"/account/tokens/{row.id}/revoke", data={"csrf_token": token}).status_code == 404
    assert stored_tokens(app)[0].revoked_at is None
