"""A request finds its catalog once (crmkit.i18n.RequestDomain); switching language inside the
request, as reminder mails and calendar feeds do, still takes effect."""

from __future__ import annotations

from flask_babel import force_locale, gettext, refresh


def test_a_request_translates_into_its_language(app):
    with app.test_request_context(headers={"Accept-Language": "ru"}):
        assert gettext("Password") == "Пароль"


def test_force_locale_switches_the_language_and_switches_it_back(app):
    with app.test_request_context(headers={"Accept-Language": "ru"}):
        assert gettext("Password") == "Пароль"
        with force_locale("en"):
            assert gettext("Password") == "Password"
        with force_locale("kk"):
            assert gettext("Password") == "Құпиясөз"
        assert gettext("Password") == "Пароль"


def test_refresh_picks_up_a_language_chosen_during_the_request(app):
    with app.test_request_context(headers={"Accept-Language": "ru"}) as context:
        assert gettext("Password") == "Пароль"
        context.request.environ["HTTP_ACCEPT_LANGUAGE"] = "en"
        context.request.__dict__.pop("accept_languages", None)
        refresh()
        assert gettext("Password") == "Password"
