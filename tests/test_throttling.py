"""Login throttling: failed logins counted per IP and per account, 429 in the user's language,
memory storage for one process and Redis shared by several."""

from __future__ import annotations

import os
import uuid

import pytest
import redis

from crmkit.core.audit.models import AuditEntry
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, add_user, csrf_token
from tests.test_audit import entries

REDIS_URL = os.environ.get("CRMKIT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
WRONG = "not the password at all"


@pytest.fixture
def app(make_app):
    application = make_app(CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")
    add_user(application)
    return application


def attempt(client, email=ADMIN_EMAIL, password=WRONG, ip="10.0.0.1", language="en"):
    client.environ_base.update(REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE=language)
    token = csrf_token(client)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def test_five_failed_logins_from_one_ip_refuse_the_sixth_even_with_the_right_password(app, client):
    assert [attempt(client).status_code for _ in range(5)] == [400] * 5
    response = attempt(client, password=ADMIN_PASSWORD)
    assert response.status_code == 429


def test_the_429_page_speaks_the_users_language(app, client):
    for _ in range(5):
        attempt(client)
    response = attempt(app.test_client(), language="ru")
    assert response.status_code == 429
    assert "Слишком много попыток" in response.get_data(as_text=True)


def test_one_account_is_protected_against_attempts_from_many_ips(app):
    for number in range(5):
        attempt(app.test_client(), ip=f"10.0.1.{number}")
    assert attempt(app.test_client(), ip="10.0.1.99", password=ADMIN_PASSWORD).status_code == 429


def test_one_ip_is_stopped_when_it_tries_many_accounts(app, client):
    for number in range(5):
        attempt(client, email=f"guess{number}@example.com")
    assert attempt(client, email="another@example.com").status_code == 429


def test_other_accounts_and_ips_are_not_held_up(app, client):
    add_user(app, "other@example.com", "other long password")
    for _ in range(5):
        attempt(client)
    assert attempt(app.test_client(), email="other@example.com", password="other long password", ip="10.9.9.9").status_code == 302


def test_successful_logins_are_not_counted(app):
    for _ in range(8):
        assert attempt(app.test_client(), password=ADMIN_PASSWORD).status_code == 302


def test_the_limit_is_a_setting(make_app):
    app = make_app(LOGIN_FAILURE_LIMIT="2 per minute")
    add_user(app)
    client = app.test_client()
    assert [attempt(client).status_code for _ in range(3)] == [400, 400, 429]


def test_a_throttled_attempt_is_audited(app, client):
    for _ in range(6):
        attempt(client)
    assert [e.detail.get("reason") for e in entries(app, "login_failed")] == [None] * 5 + ["throttled"]
    assert all(isinstance(e, AuditEntry) for e in entries(app))


@pytest.fixture
def redis_config():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no Redis at {REDIS_URL}")
    prefix = f"crmkit-test-{uuid.uuid4().hex}"
    yield {"RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": prefix}
    server = redis.Redis.from_url(REDIS_URL)
    for key in server.scan_iter(match=f"*{prefix}*"):
        server.delete(key)


def test_two_processes_sharing_redis_share_the_count(make_app, redis_config):
    """Two apps stand for two gunicorn workers; the attacker spreads attempts over both."""
    config = redis_config
    first, second = make_app(**config), make_app(migrate=False, **config)
    add_user(first)
    for _ in range(3):
        assert attempt(first.test_client()).status_code == 400
    for _ in range(2):
        assert attempt(second.test_client()).status_code == 400
    assert attempt(second.test_client(), password=ADMIN_PASSWORD).status_code == 429
    assert attempt(first.test_client(), password=ADMIN_PASSWORD).status_code == 429
