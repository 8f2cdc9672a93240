"""Configuration: defaults, then instance/config.py, then CRMKIT_* environment variables, then test config."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

PLACEHOLDER_SECRETS = {"", "dev", "change-me", "changeme", "secret", "please-change"}

DEFAULTS: dict[str, Any] = {
    "SECRET_KEY": None,
    "DATABASE_URL": None,
    "DEFAULT_LOCALE": "ru",
    "DEFAULT_TIMEZONE": "Asia/Almaty",
    "DEFAULT_PHONE_REGION": "KZ",  # phones typed without +country are read as this country's
    "DEFAULT_CURRENCY": "KZT",
    "LANGUAGES": ["ru", "kk", "en"],
    "LOAD_ENTRY_POINTS": True,
    "LOAD_PLUGINS": None,
    "DISABLE_PLUGINS": None,
    "TRACE_PLUGINS": False,
    "SESSION_COOKIE_SECURE": None,  # None: Secure unless debugging or testing
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,
    # mail (crmkit/mail.py): off until SMTP_HOST is set
    "SMTP_HOST": None,
    "SMTP_PORT": None,  # None: 25, or 587 with starttls, 465 with ssl
    "SMTP_TLS": "none",  # none, starttls or ssl
    "SMTP_USER": None,
    "SMTP_PASSWORD": None,
    "SMTP_TIMEOUT": 30,
    "MAIL_FROM": "crmkit <noreply@localhost>",
    "BASE_URL": None,  # where people open crmkit (https://crm.example.kz), for links in mail
}


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete; the message says what to set."""


def instance_path() -> str | None:
    """CRMKIT_INSTANCE_PATH moves the instance folder (relative to the working directory when
    relative, as Flask only takes absolute paths); None lets Flask choose its default."""
    path = os.environ.get("CRMKIT_INSTANCE_PATH")
    return os.path.abspath(path) if path else None


def load(app: Flask, test_config: dict[str, Any] | None) -> None:
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("CRMKIT")
    if test_config:
        app.config.from_mapping(test_config)
    if app.config["SESSION_COOKIE_SECURE"] is None:
        app.config["SESSION_COOKIE_SECURE"] = not (app.debug or app.testing)
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]
    check_secret_key(app)


def check_secret_key(app: Flask) -> None:
    key = app.config.get("SECRET_KEY")
    if app.debug or app.testing:
        if not key:
            app.config["SECRET_KEY"] = os.urandom(32).hex()
        return
    if not key or str(key).strip().lower() in PLACEHOLDER_SECRETS or len(str(key)) < 16:
        raise ConfigError(
            "SECRET_KEY is missing or a placeholder. Run `crmkit init`, which writes a random one to "
            f"{os.path.join(app.instance_path, 'config.py')}, or set CRMKIT_SECRET_KEY to a long random value."
        )
