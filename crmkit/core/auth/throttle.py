"""Login throttling with Flask-Limiter: failed logins are counted per client IP and per account.

After ``LOGIN_FAILURE_LIMIT`` failures (default ``5 per minute``) from one IP or for one email,
further attempts get 429 until the window moves on, even with the right password. Counts live in
memory by default (one process); set CRMKIT_RATELIMIT_STORAGE_URI (``redis://host:6379``) when
several processes or machines serve crmkit, so they share the counts.
"""

from __future__ import annotations

import hashlib

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse

DEFAULTS = {
    "LOGIN_FAILURE_LIMIT": "5 per minute",
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_KEY_PREFIX": "crmkit",
    "RATELIMIT_HEADERS_ENABLED": False,
}


def init_app(app: Flask) -> None:
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    # One limiter per app: no default limits, used for the login counters only.
    app.extensions["crmkit.limiter"] = Limiter(get_remote_address, app=app, default_limits=[])


def _keys(email: str) -> list[tuple[str, str]]:
    account = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]  # no addresses in Redis
    prefix = str(current_app.config["RATELIMIT_KEY_PREFIX"])
    return [(prefix, "login-ip", request.remote_addr or "-"), (prefix, "login-account", account)]


def _window():
    limiter: Limiter = current_app.extensions["crmkit.limiter"]
    return limiter.limiter, parse(str(current_app.config["LOGIN_FAILURE_LIMIT"]))


def login_blocked(email: str) -> bool:
    """True when this IP or this account has used up its failed attempts."""
    strategy, item = _window()
    return any(not strategy.test(item, *key) for key in _keys(email))


def login_failed(email: str) -> None:
    strategy, item = _window()
    for key in _keys(email):
        strategy.hit(item, *key)
