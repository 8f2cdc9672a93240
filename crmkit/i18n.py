"""Languages, time zones, and locale-aware formatting of dates, numbers and money.

Times are stored in UTC (naive) and shown in the user's time zone. Each plugin may ship a
``translations/`` folder; its catalogs are merged with the core's.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from flask import Flask, current_app, request, session
from flask_babel import Babel, format_currency, format_date, format_datetime, format_decimal, get_locale
from flask_login import current_user

CORE_TRANSLATIONS = Path(__file__).parent / "translations"
# Shown in their own language, so a user who can't read the current one still finds theirs.
LANGUAGE_NAMES = {"ru": "Русский", "kk": "Қазақша", "en": "English"}


def languages() -> list[str]:
    return list(current_app.config["LANGUAGES"])


def select_locale() -> str:
    user_locale = getattr(current_user, "locale", None) if current_user else None
    for choice in (user_locale, session.get("locale")):
        if choice in languages():
            return choice
    return request.accept_languages.best_match(languages()) or current_app.config["DEFAULT_LOCALE"]


def select_timezone() -> str:
    user_tz = getattr(current_user, "timezone", None) if current_user else None
    return user_tz or current_app.config["DEFAULT_TIMEZONE"]


def money(amount, currency: str | None = None) -> str:
    return format_currency(amount, currency or current_app.config["DEFAULT_CURRENCY"])


def init_app(app: Flask, plugin_translation_dirs: Iterable[Path]) -> None:
    dirs = [str(CORE_TRANSLATIONS), *(str(d) for d in plugin_translation_dirs)]
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(dirs)
    app.config["BABEL_DEFAULT_LOCALE"] = app.config["DEFAULT_LOCALE"]
    app.config["BABEL_DEFAULT_TIMEZONE"] = "UTC"
    Babel(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.filters.update(
        datetime=format_datetime, date=format_date, number=format_decimal, money=money
    )
    app.jinja_env.globals.update(language_names=LANGUAGE_NAMES, get_locale=get_locale)
