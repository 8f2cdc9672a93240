"""Languages, time zones, and locale-aware formatting of dates, numbers and money.

Times are stored in UTC (a naive value counts as UTC) and shown in the user's time zone. These
functions read the core's catalog only: a plugin translates with its own domain
(``crmkit.plugin_i18n.Messages``), which falls back to the core's but never changes it. The command
line speaks the shell's language, so ``gettext`` here also works before any app exists.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import flask_babel
from babel import dates as babel_dates
from babel.support import NullTranslations, Translations
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import (
    Babel,
    format_currency,
    format_date,
    format_datetime,
    format_decimal,
    get_locale,
    get_timezone,
)
from flask_babel.speaklater import LazyString
from flask_login import current_user

from crmkit import config

CORE_TRANSLATIONS = Path(__file__).parent / "translations"
# Shown in their own language, so a user who can't read the current one still finds theirs.
LANGUAGE_NAMES = {"ru": "Русский", "kk": "Қазақша", "en": "English"}
# The language of the msgids: what a shell gets when it names no language we speak.
SOURCE_LOCALE = "en"
# Read in gettext's order: the first one set decides, as it does for every other program.
SHELL_LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")
_current_g = g._get_current_object  # the app context's `g` itself, without the proxy per access


def languages() -> list[str]:
    return list(current_app.config["LANGUAGES"])


def shell_locale(allowed: Sequence[str]) -> str:
    """The language of a command, where there is no browser to ask.

    CRMKIT_LOCALE, when it names an allowed language; else the first of LC_ALL, LC_MESSAGES and
    LANG that is set (``kk_KZ.UTF-8`` gives ``kk``); else English. Not DEFAULT_LOCALE: a server's
    shell is usually ``C.UTF-8``, and an operator there reads the language of the docs and logs.
    """
    explicit = os.environ.get("CRMKIT_LOCALE", "")[:2].lower()
    if explicit in allowed:
        return explicit
    for name in SHELL_LOCALE_VARIABLES:
        if value := os.environ.get(name):
            code = value[:2].lower()
            return code if code in allowed else SOURCE_LOCALE
    return SOURCE_LOCALE


def select_locale() -> str:
    """The language of this request, or of this command when there is no request.

    In a request: the logged-in user's saved choice, then this browser's (the session, set by
    POST /-/language), then Accept-Language, then DEFAULT_LOCALE. Commands and background work
    have no browser and no session, so the shell decides (see ``shell_locale``).
    """
    if not has_request_context():
        return shell_locale(languages())
    user_locale = getattr(current_user, "locale", None) if current_user else None
    for choice in (user_locale, session.get("locale")):
        if choice in languages():
            return choice
    return request.accept_languages.best_match(languages()) or current_app.config["DEFAULT_LOCALE"]


def select_timezone() -> str:
    user_tz = getattr(current_user, "timezone", None) if current_user else None
    return user_tz or current_app.config["DEFAULT_TIMEZONE"]


@cache
def _core_catalog(locale: str) -> NullTranslations:
    return Translations.load(str(CORE_TRANSLATIONS), [locale])


def _shell_catalog() -> NullTranslations:
    return _core_catalog(shell_locale(config.DEFAULTS["LANGUAGES"]))


def translations() -> NullTranslations:
    """The catalog strings are translated with now: the request's (or app context's), else the shell's.

    flask-babel finds it through several context-variable lookups per string; a list page
    translates a few hundred. Here the catalog flask-babel chose is read from its own per-context
    namespace (``g._flask_babel.babel_translations``, the attribute ``force_locale()`` and
    ``refresh()`` reset) with one lookup, and flask-babel is asked only when it isn't there yet.
    """
    try:
        context = _current_g()
    except RuntimeError:  # no app context: `crmkit init`, `serve`, the CLI's first words
        return _shell_catalog()
    namespace = context.__dict__.get("_flask_babel")
    found = getattr(namespace, "babel_translations", None) if namespace is not None else None
    return found if found is not None else flask_babel.get_domain().get_translations()


def gettext(string: str, **variables) -> str:
    """``flask_babel.gettext``, also before an app exists (see ``translations``)."""
    text = translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    """``flask_babel.ngettext``, also before an app exists; ``%(num)d`` is filled in."""
    variables.setdefault("num", num)
    return translations().ungettext(singular, plural, num) % variables


def pgettext(context: str, string: str, **variables) -> str:
    """``gettext`` of a msgid that needs a context to tell it apart ("Name" of a person or of a view)."""
    text = translations().upgettext(context, string)
    return text % variables if variables else text


def lazy_gettext(string: str, **variables) -> LazyString:
    """A string translated when shown, for module-level labels (fields, nav items, choices)."""
    return LazyString(gettext, string, **variables)


def lazy_ngettext(singular: str, plural: str, num: int, **variables) -> LazyString:
    return LazyString(ngettext, singular, plural, num, **variables)


def lazy_pgettext(context: str, string: str, **variables) -> LazyString:
    return LazyString(pgettext, context, string, **variables)


def money(amount, currency: str | None = None) -> str:
    return format_currency(amount, currency or current_app.config["DEFAULT_CURRENCY"])


class MomentFormat:
    """Moments written exactly as ``format_datetime(moment, style)`` writes them for the request's
    language and time zone, each date and each time of day formatted once: babel looks up the
    locale's names and patterns on every call, and a board shows 250 cards. A time of day to the
    minute (the short style) is kept for the process; one with seconds or a zone is not kept."""

    def __init__(self, style: str = "short", locale=None, zone=None):
        self.style = style
        self.locale = locale or get_locale()
        self.zone = zone or ZoneInfo(str(get_timezone()))
        self.pattern = babel_dates.get_datetime_format(style, locale=self.locale).replace("'", "")
        fields = set(re.findall(r"%\((\w)", babel_dates.get_time_format(style, locale=self.locale).format))
        self.times = None if fields & set("sSAzZvVOXx") else _minutes(str(self.locale), style)
        self.dates: dict = {}

    def __call__(self, moment: datetime) -> str:
        local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(self.zone)
        day = local.date()
        if (date_text := self.dates.get(day)) is None:
            date_text = self.dates[day] = babel_dates.format_date(day, self.style, locale=self.locale)
        if self.times is None:
            time_text = babel_dates.format_time(local, self.style, locale=self.locale)
        elif (time_text := self.times.get((local.hour, local.minute))) is None:
            time_text = self.times[local.hour, local.minute] = babel_dates.format_time(local, self.style, locale=self.locale)
        return self.pattern.replace("{0}", time_text).replace("{1}", date_text)


STYLES = frozenset(("short", "medium", "long", "full"))


def datetime_filter(value: datetime | None = None, format: str | None = None) -> str:
    """The templates' ``datetime`` filter: flask-babel's ``format_datetime``, with a named style
    written by a MomentFormat kept in the app context for its language and zone (a timeline or
    history page shows fifty moments)."""
    if format not in STYLES or not isinstance(value, datetime):
        return format_datetime(value, format)
    key = (format, str(get_locale()), str(get_timezone()))
    kept = g.setdefault("_crmkit_moments", {})
    if (write := kept.get(key)) is None:
        write = kept[key] = MomentFormat(format)
    return write(value)


@cache
def _minutes(locale: str, style: str) -> dict:
    """The times of day of one language and style, to the minute: 1,440 at most."""
    return {}


class RequestDomain(flask_babel.Domain):
    """flask-babel's message domain, finding the request's catalog once instead of per message.

    flask-babel looks up the locale, its name and its catalog cache anew for every string, through
    several context lookups each; a list page translates a few hundred (choice labels, headings).
    The catalog is kept in ``babel_translations`` of flask-babel's request context, the attribute
    its own ``force_locale()`` and ``refresh()`` reset, so switching language still takes effect.
    """

    def get_translations(self):
        context = flask_babel._get_current_context()
        if context is None:
            return super().get_translations()
        found = getattr(context, "babel_translations", None)
        if found is None:
            found = context.babel_translations = super().get_translations()
        return found


def init_app(app: Flask) -> None:
    """Flask-Babel on the core's catalog alone; plugins' catalogs are their own domains."""
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(CORE_TRANSLATIONS)
    app.config["BABEL_DEFAULT_LOCALE"] = app.config["DEFAULT_LOCALE"]
    app.config["BABEL_DEFAULT_TIMEZONE"] = "UTC"
    babel = Babel(app, locale_selector=select_locale, timezone_selector=select_timezone)
    babel.domain_instance = RequestDomain()  # replaces flask-babel's default (a cached_property)
    app.jinja_env.install_gettext_callables(  # flask-babel's, reading the catalog as gettext does
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.filters.update(
        datetime=datetime_filter, date=format_date, number=format_decimal, money=money
    )
    app.jinja_env.globals.update(language_names=LANGUAGE_NAMES, get_locale=get_locale)
