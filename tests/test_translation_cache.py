"""A request finds its catalog once (crmkit.i18n.translations); switching language inside the
request, as reminder mails and calendar feeds do, still takes effect, for crmkit's gettext,
flask-babel's, lazy strings and templates alike."""

from __future__ import annotations

import flask_babel
import pytest
from flask import render_template_string
from flask_babel import force_locale, refresh

from crmkit import i18n


def template_gettext(string):
    return render_template_string("{{ _(s) }}", s=string)


GETTEXTS = {
    "crmkit": i18n.gettext,
    "flask_babel": flask_babel.gettext,
    "lazy": lambda string: str(i18n.lazy_gettext(string)),
    "template": template_gettext,
}


@pytest.fixture(params=sorted(GETTEXTS))
def gettext(request):
    return GETTEXTS[request.param]


def test_a_request_translates_into_its_language(app, gettext):
    with app.test_request_context(headers={"Accept-Language": "ru"}):
        assert gettext("Password") == "Пароль"


def test_force_locale_switches_the_language_and_switches_it_back(app, gettext):
    with app.test_request_context(headers={"Accept-Language": "ru"}):
        assert gettext("Password") == "Пароль"
        with force_locale("en"):
            assert gettext("Password") == "Password"
        with force_locale("kk"):
            assert gettext("Password") == "Құпиясөз"
        assert gettext("Password") == "Пароль"


def test_refresh_picks_up_a_language_chosen_during_the_request(app, gettext):
    with app.test_request_context(headers={"Accept-Language": "ru"}) as context:
        assert gettext("Password") == "Пароль"
        context.request.environ["HTTP_ACCEPT_LANGUAGE"] = "en"
        context.request.__dict__.pop("accept_languages", None)
        refresh()
        assert gettext("Password") == "Password"


def test_outside_an_app_the_shell_language_is_spoken(monkeypatch):
    monkeypatch.setenv("CRMKIT_LOCALE", "kk")
    assert i18n.gettext("Password") == "Құпиясөз"


def test_ngettext_fills_in_the_number(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert i18n.ngettext("%(num)s record", "%(num)s records", 3) == "3 records"
