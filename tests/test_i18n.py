"""Russian, Kazakh and English: complete catalogs, plural forms, language choice and formatting.

The catalog tests run Babel's extraction in-process with babel.cfg, exactly as
``pybabel extract`` does, so a string added anywhere under crmkit/ or plugins/ fails here until
docs/translations.md's commands have been run and the string translated.
"""

from __future__ import annotations

import gettext as stdlib_gettext
import io
import re
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel import Locale
from babel.dates import format_datetime
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from babel.numbers import format_currency
from flask import render_template_string
from flask_babel import force_locale, get_locale, ngettext
from flask_login import login_user
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit import db
from crmkit.cli import ensure_secret_key
from crmkit.core.auth.models import User
from crmkit.core.auth.service import find_user
from crmkit.i18n import MomentFormat
from tests.conftest import ADMIN_EMAIL, add_user, csrf_token, login
from tests.plugins.polyglot import hooks as polyglot

ROOT = Path(__file__).parents[1]
CORE_CATALOGS = ROOT / "crmkit" / "translations"
UPDATE_HINT = "update the catalogs as docs/translations.md says (extract, update, translate, compile)"
PLURAL_COUNTS = {"ru": 3, "kk": 2, "en": 2}
PLACEHOLDER = re.compile(r"%\(\w+\)[a-z]|\{\w+\}")  # %(name)s of gettext, {name} of marshmallow


@cache
def extracted() -> dict[tuple[str | None, str | tuple[str, ...]], str]:
    """Every message in the sources, as babel.cfg maps them, with one place it comes from."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, str(ROOT / "babel.cfg"))
    found = {}
    for filename, lineno, message, _comments, context in extract_from_dir(str(ROOT), method_map, options_map):
        found.setdefault((context, message), f"{filename}:{lineno}")
    return found


def core_catalog(lang: str):
    with open(CORE_CATALOGS / lang / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po, locale=lang)


def all_po_files() -> list[Path]:
    """The core's catalogs, the in-repo plugins' and the test plugins'."""
    patterns = [(CORE_CATALOGS, "*/LC_MESSAGES/*.po"), (ROOT, "plugins/*/translations/*/LC_MESSAGES/*.po")]
    patterns.append((ROOT, "tests/plugins/*/translations/*/LC_MESSAGES/*.po"))
    return sorted(path for folder, pattern in patterns for path in folder.glob(pattern))


def translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings)


def render(app, source: str, lang: str = "ru", **context) -> str:
    with app.test_request_context(headers={"Accept-Language": lang}):
        return render_template_string(source, **context)


def choose_language(client, code: str, page: str = "/login"):
    token = csrf_token(client, page)
    return client.post("/-/language", data={"language": code, "next": page, "csrf_token": token})


def html_lang(client, url: str, accept_language: str | None = None) -> str:
    headers = {"Accept-Language": accept_language} if accept_language else {}
    found = re.search(r'<html lang="(\w+)">', client.get(url, headers=headers).get_data(as_text=True))
    assert found, f"{url} has no <html lang>"
    return found.group(1)


def save_profile(app, email: str, **fields) -> User:
    with app.app_context():
        user = find_user(db.session(), email)
        for name, value in fields.items():
            setattr(user, name, value)
        db.session().add(user)
        db.session().commit()
        return user


# --- catalogs


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_every_message_in_the_sources_is_translated_and_checked(lang):
    catalog = core_catalog(lang)
    problems = []
    for (context, message_id), where in extracted().items():
        entry = catalog.get(message_id, context=context)
        if entry is None:
            problems.append(f"missing: {message_id!r} ({where})")
        elif isinstance(message_id, tuple) != entry.pluralizable:
            problems.append(f"plural and singular differ: {message_id!r} ({where})")
        elif entry.fuzzy:
            problems.append(f"fuzzy, check it and drop the flag: {message_id!r} ({where})")
        elif not translated(entry):
            problems.append(f"untranslated: {message_id!r} ({where})")
    assert not problems, f"{lang}: {UPDATE_HINT}\n" + "\n".join(problems)


def test_every_message_in_the_sources_is_in_the_english_catalog():
    catalog = core_catalog("en")
    missing = [f"{message_id!r} ({where})" for (context, message_id), where in extracted().items()
               if catalog.get(message_id, context=context) is None]
    assert not missing, f"en: {UPDATE_HINT}\n" + "\n".join(missing)


@pytest.mark.parametrize("lang", ["ru", "kk", "en"])
def test_translations_keep_every_placeholder(lang):
    """Each %(name)s and {name} of the msgid, in every form: Babel's own check lets a form drop them all."""
    catalog = core_catalog(lang)
    problems = [f"{message.id!r}: {error}" for message, errors in catalog.check() for error in errors]
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = {token for msgid in ids for token in PLACEHOLDER.findall(msgid)}
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wrong = [s for s in strings if s and set(PLACEHOLDER.findall(s)) != wanted]
        problems += [f"{ids[0]!r}: {s!r} should have {sorted(wanted)}" for s in wrong]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", ["ru", "kk", "en"])
def test_catalog_header_declares_the_languages_plural_forms(lang):
    catalog = core_catalog(lang)
    assert catalog.num_plurals == PLURAL_COUNTS[lang]
    assert catalog.plural_forms == get_plural(lang).plural_forms


@pytest.mark.parametrize("po_path", all_po_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_compiled_catalog_matches_its_po(po_path):
    """The committed .mo says what `pybabel compile` would make of the .po today."""
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} is missing: run pybabel compile"
    with open(po_path, "rb") as po:
        fresh = io.BytesIO()
        write_mo(fresh, read_po(po))
    fresh.seek(0)
    expected = stdlib_gettext.GNUTranslations(fresh)
    with open(mo_path, "rb") as mo:
        committed = stdlib_gettext.GNUTranslations(mo)
    assert committed._catalog.keys() - {""} == expected._catalog.keys() - {""}, "run pybabel compile"
    assert {k: v for k, v in committed._catalog.items() if k} == {k: v for k, v in expected._catalog.items() if k}
    assert committed._info.get("plural-forms") == expected._info.get("plural-forms")


# --- plural forms


def test_russian_has_three_plural_forms(app):
    with app.test_request_context(headers={"Accept-Language": "ru"}):
        forms = [ngettext("%(num)d plugin", "%(num)d plugins", n) for n in (1, 2, 5, 11, 21, 22)]
    assert forms == ["1 плагин", "2 плагина", "5 плагинов", "11 плагинов", "21 плагин", "22 плагина"]


def test_kazakh_has_two_plural_forms_and_keeps_the_noun_after_a_number(app):
    with app.test_request_context(headers={"Accept-Language": "kk"}):
        forms = [ngettext("%(num)d plugin", "%(num)d plugins", n) for n in (1, 2, 5)]
    assert forms == ["1 плагин", "2 плагин", "5 плагин"]
    assert len(core_catalog("kk").get(("%(num)d plugin", "%(num)d plugins")).string) == 2


def test_plugins_page_heading_counts_plugins_in_the_users_language(app, admin_client):
    page = admin_client.get("/admin/plugins", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    found = re.search(r"<h1>Плагины <small[^>]*>(\d+) (\w+)</small></h1>", page)
    assert found, "no plugin count in the heading"
    count = len(app.extensions["crmkit"].plugins)
    word = {"one": "плагин", "few": "плагина", "many": "плагинов"}[Locale("ru").plural_form(count)]
    assert found.groups() == (str(count), word)


# --- which language


def test_russian_is_the_default_language(client):
    assert html_lang(client, "/login") == "ru"


def test_default_locale_applies_when_the_browser_names_no_known_language(make_app):
    client = make_app(DEFAULT_LOCALE="kk").test_client()
    assert html_lang(client, "/login", "de") == "kk"


def test_accept_language_beats_the_default(client):
    assert html_lang(client, "/login", "de, kk;q=0.8, ru;q=0.5") == "kk"


def test_language_chosen_in_the_browser_beats_accept_language(client):
    assert choose_language(client, "en").status_code == 302
    page = client.get("/login", headers={"Accept-Language": "kk"}).get_data(as_text=True)
    assert '<html lang="en">' in page and "<h1>Log in</h1>" in page


def test_language_switch_refuses_a_post_without_csrf_token(client):
    assert client.post("/-/language", data={"language": "en"}).status_code == 400
    assert html_lang(client, "/login") == "ru"


def test_saved_language_of_the_logged_in_user_beats_browser_choice_and_header(app, client):
    add_user(app)
    save_profile(app, ADMIN_EMAIL, locale="kk")
    choose_language(client, "en")
    assert login(client).status_code == 302
    assert html_lang(client, "/", "ru") == "kk"


def test_choosing_a_language_when_logged_in_saves_it_on_the_profile(app, admin_client):
    assert choose_language(admin_client, "kk", page="/").status_code == 302
    with app.app_context():
        assert find_user(db.session(), ADMIN_EMAIL).locale == "kk"


@pytest.mark.parametrize(
    "env, expected",
    [
        ({}, "en"),
        ({"LANG": "ru_RU.UTF-8"}, "ru"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({"LANG": "ru_RU.UTF-8", "LC_ALL": "kk_KZ.UTF-8"}, "kk"),
        ({"LANG": "ru_RU.UTF-8", "LC_ALL": "C.UTF-8"}, "en"),
        ({"LANG": "ru_RU.UTF-8", "CRMKIT_LOCALE": "kk"}, "kk"),
    ],
)
def test_outside_a_request_the_shell_chooses_the_language(app, monkeypatch, env, expected):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with app.app_context():
        assert str(get_locale()) == expected


def test_commands_answer_in_the_shell_language(runner, monkeypatch):
    monkeypatch.setenv("LANG", "ru_RU.UTF-8")
    result = runner.invoke(args=["user", "password", "nobody@example.com", "--password", "long enough password"])
    assert result.exit_code == 1
    assert "nobody@example.com: такого пользователя нет" in result.output


def test_first_run_messages_are_translated_before_any_app_exists(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CRMKIT_LOCALE", "kk")
    monkeypatch.delenv("CRMKIT_SECRET_KEY", raising=False)
    ensure_secret_key(tmp_path)
    assert "Жаңа құпия кілт" in capsys.readouterr().out


# --- formatting


def test_numbers_follow_the_locale(app):
    assert render(app, "{{ 1234567.5|number }}", "ru") == "1\xa0234\xa0567,5"
    assert render(app, "{{ 1234567.5|number }}", "en") == "1,234,567.5"


def test_dates_follow_the_locale(app):
    day = date(2026, 3, 8)
    assert render(app, "{{ day|date('long') }}", "ru", day=day) == "8 марта 2026\u202fг."
    assert render(app, "{{ day|date('long') }}", "en", day=day) == "March 8, 2026"


def test_money_is_in_tenge_unless_configured(app):
    for lang in ("ru", "kk", "en"):
        assert render(app, "{{ 1500|money }}", lang) == format_currency(1500, "KZT", locale=lang)
    assert render(app, "{{ 1500|money }}", "en") != render(app, "{{ 1500|money }}", "ru")


@settings(max_examples=300, deadline=None)
@given(moment=st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1)),
       language=st.sampled_from(["ru", "kk", "en"]), style=st.sampled_from(["short", "medium", "long", "full"]),
       zone=st.sampled_from(["Asia/Almaty", "Europe/Moscow", "America/New_York", "UTC"]))
def test_moments_are_written_exactly_as_babel_writes_them(moment, language, style, zone):
    locale, tz = Locale.parse(language), ZoneInfo(zone)
    write = MomentFormat(style, locale, tz)
    assert write(moment) == format_datetime(moment, style, tzinfo=tz, locale=locale)
    assert write(moment) == write(moment.replace(tzinfo=UTC))  # naive counts as UTC, and a second call reads the cache


def test_the_datetime_filter_writes_each_style_as_babel_does_and_follows_a_forced_language(app):
    when = datetime(2026, 3, 8, 21, 30, tzinfo=UTC)
    zone = ZoneInfo(app.config["DEFAULT_TIMEZONE"])
    for lang in ("ru", "kk", "en"):
        for style in ("short", "medium", "long", "full"):
            shown = render(app, "{{ when|datetime(style) }}", lang, when=when, style=style)
            assert shown == format_datetime(when, style, tzinfo=zone, locale=lang)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        english = render_template_string("{{ when|datetime('long') }}", when=when)
        with force_locale("ru"):
            russian = render_template_string("{{ when|datetime('long') }}", when=when)
    assert (english, russian) == (format_datetime(when, "long", tzinfo=zone, locale="en"),
                                  format_datetime(when, "long", tzinfo=zone, locale="ru"))


def test_utc_time_shows_in_the_users_time_zone(make_app):
    app = make_app(DEFAULT_TIMEZONE="UTC")
    add_user(app)
    user = save_profile(app, ADMIN_EMAIL, timezone="Asia/Almaty")
    with app.test_request_context():
        login_user(user)
        shown = render_template_string("{{ when|datetime('HH:mm') }}", when=datetime(2026, 1, 1, 10, 0, tzinfo=UTC))
    assert shown == "15:00"


@pytest.mark.parametrize(
    "stored, shown", [(datetime(2026, 1, 1, 10, 0), "15:00"), (datetime(2024, 1, 15, 10, 0), "16:00")]
)
def test_naive_times_count_as_utc_and_almaty_moved_to_utc_plus_5_in_2024(app, stored, shown):
    assert render(app, "{{ when|datetime('HH:mm') }}", when=stored) == shown


# --- a plugin's own catalog


def test_plugin_ships_its_own_catalog(make_app, admin_client_for):
    client = admin_client_for(make_app(plugins=[polyglot]))
    page = client.get("/polyglot/?calls=5", headers={"Accept-Language": "kk"}).get_data(as_text=True)
    assert "<h1>Тілашар</h1>" in page and "Бүгін 5 қоңырау" in page


def test_plugin_catalog_is_merged_with_the_cores(make_app, admin_client_for):
    client = admin_client_for(make_app(plugins=[polyglot]))
    page = client.get("/polyglot/?calls=2", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "2 звонка сегодня" in page  # the plugin's plural, with Russian's three forms
    assert ">Разговорник</a>" in page and ">Главная</a>" in page  # plugin's and core's nav items
    assert "Выйти" in page  # the core layout
