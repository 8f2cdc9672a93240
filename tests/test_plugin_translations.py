"""A translation domain per plugin (crmkit.plugin_i18n): a plugin's words come from its own catalog
first and the core's second, and never change the core's; its templates translate in its domain
whichever template includes which; ``crmkit plugin translations`` keeps its catalog.

tests/plugins/wording is a complaints register whose status "New" is "Новая" in its catalog,
while the core's "New" button is "Создать".
"""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale

from crmkit import i18n
from crmkit.cli import cli
from crmkit.plugin_i18n import Messages
from tests.plugins.wording import hooks as wording

LIST = "/wording/complaint/"
API = "/api/v1/wording/complaint"
CORE_NEW = {"ru": "Создать", "kk": "Құру"}
PLUGIN_NEW = {"ru": "Новая", "kk": "Жаңа"}


@pytest.fixture
def crmkit_plugins():
    return [wording]


def page(client, url: str, language: str) -> str:
    response = client.get(url, headers={"Accept-Language": language})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def text_of(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}">(.*?)</', html, re.S)
    assert found, f"no #{element_id}"
    return found.group(1).strip()


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_a_plugins_new_leaves_the_cores_new_button_alone(admin_client, api_client, language):
    api_client("admin").post(API, json={"title": "Broken heater"})
    html = page(admin_client, LIST, language)
    assert f">{CORE_NEW[language]}</a>" in html  # the core's button on the plugin's own list
    assert PLUGIN_NEW[language] in html  # the complaint's status, in the plugin's words
    assert f">{PLUGIN_NEW[language]}</a>" not in html


def test_a_plugins_msgid_is_read_from_its_catalog_first_then_the_cores(app):
    with app.app_context(), force_locale("ru"):
        assert wording.messages.gettext("New") == "Новая"
        assert wording.messages.gettext("Title") == "Название"  # not in its catalog: the core's
        assert wording.messages.gettext("Never translated") == "Never translated"
        assert i18n.gettext("New") == "Создать"


def test_plural_forms_follow_the_plugins_catalog(app):
    with app.app_context():
        with force_locale("ru"):
            assert [wording.status_line(n) for n in (1, 3, 5)] == [
                "1 новая жалоба", "3 новые жалобы", "5 новых жалоб"
            ]
        with force_locale("kk"):
            assert wording.status_line(5) == "5 жаңа шағым"


def test_lazy_labels_of_the_entity_resolve_in_the_plugins_domain(app, admin_client):
    entity = app.extensions["crmkit"].entities.get("wording.complaint")
    with app.app_context(), force_locale("kk"):
        assert (str(entity.label), str(entity.label_plural)) == ("Шағым", "Шағымдар")
    assert f'<a href="{LIST}">Жалобы</a>' in page(admin_client, "/", "ru")


def test_a_plugins_page_speaks_its_domain_and_the_core_layout_the_cores(admin_client):
    html = page(admin_client, "/wording/", "ru")
    assert text_of(html, "status") == "Новая"  # gettext()
    assert text_of(html, "trans") == "Новая"  # {% trans %}
    assert text_of(html, "plural") == "3 новые жалобы"  # ngettext(), Russian's three forms
    assert text_of(html, "fallback") == "Название"  # a msgid it left to the core
    assert text_of(html, "context") == "Открыта Открыта"  # {% trans "context" %} and pgettext()
    assert 'placeholder="Найти жалобу"' in html  # its search box...
    assert 'placeholder="Поиск"' in html  # ...and the core layout's, which it extends
    core_part = text_of(html, "core-part")
    assert "Изменений пока нет." in core_part  # a core template it includes keeps the core's
    assert "Жалобу ещё не рассматривали." not in core_part


def test_a_plugins_panel_on_a_core_page_keeps_the_plugins_words(admin_client, api_client):
    complaint = api_client("admin").post(API, json={"title": "Noisy pipes"}).get_json()
    html = page(admin_client, f"{LIST}{complaint['id']}", "ru")
    assert '<p class="wording-status">Новая</p>' in html
    assert '<p class="wording-trans">Жалобу ещё не рассматривали.</p>' in html
    assert "<h2>Рассмотрение</h2>" in html and "<h2>История изменений</h2>" in html  # panel, core


def test_a_deployments_override_of_a_plugins_template_keeps_the_plugins_words(app, admin_client_for):
    override = Path(app.instance_path) / "templates" / "wording" / "index.html"
    override.parent.mkdir(parents=True)
    override.write_text('{% extends "base.html" %}{% block content %}<p id="mine">{{ _("New") }}</p>'
                        '{% endblock %}', encoding="utf-8")
    html = page(admin_client_for(app), "/wording/", "ru")
    assert text_of(html, "mine") == "Новая" and 'placeholder="Поиск"' in html


def test_outside_an_app_a_plugin_speaks_the_shells_language(monkeypatch):
    monkeypatch.setenv("CRMKIT_LOCALE", "kk")
    assert wording.messages.gettext("New") == "Жаңа"


def test_a_plugin_without_a_catalog_uses_the_cores(app):
    plain = Messages("tests.plugins.projects.hooks")
    assert plain.folder is None
    with app.app_context(), force_locale("ru"):
        assert plain.gettext("New") == "Создать"


def test_a_module_in_a_sub_package_shares_its_plugins_catalog(tmp_path, monkeypatch):
    package = tmp_path / "crmkit_nested"
    (package / "views").mkdir(parents=True)
    (package / "translations").mkdir()
    for init in (package / "__init__.py", package / "views" / "__init__.py", package / "views" / "pages.py"):
        init.write_text("", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert Messages("crmkit_nested.views.pages").folder == (package / "translations").resolve()


def test_a_module_made_in_memory_has_no_catalog_and_a_misspelt_one_is_an_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "made_in_memory", types.ModuleType("made_in_memory"))
    assert Messages("made_in_memory").folder is None
    with pytest.raises(ValueError, match="no module named 'tests.plugins.wordings'"):
        Messages("tests.plugins.wordings")


# crmkit plugin translations extract | update | compile


def write_plugin(folder):
    package = folder / "crmkit_demo"
    (package / "templates" / "demo").mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "hooks.py").write_text(
        "from crmkit.plugin_i18n import Messages\n"
        "messages = Messages(__name__)\n"
        "_l = messages.lazy_gettext\n"
        "LABEL = _l('Complaint')\n"
        "def days(n):\n"
        "    return messages.ngettext('%(num)d day', '%(num)d days', n)\n",
        encoding="utf-8",
    )
    (package / "templates" / "demo" / "page.html").write_text(
        "{{ _('Greeting') }} {% trans %}Farewell{% endtrans %}\n", encoding="utf-8"
    )
    return package


def catalog(package, language):
    with open(package / "translations" / language / "LC_MESSAGES" / "messages.po", "rb") as file:
        return read_po(file, locale=language)


def translate_po(package, language, msgid, msgstr):
    path = package / "translations" / language / "LC_MESSAGES" / "messages.po"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(f'msgid "{msgid}"\nmsgstr ""', f'msgid "{msgid}"\nmsgstr "{msgstr}"'), encoding="utf-8")


def run(*args):
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, ["plugin", "translations", *map(str, args)])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_catalog_round_trip_from_a_project_folder(tmp_path, app):
    package = write_plugin(tmp_path)
    assert "4 messages" in run("extract", tmp_path)  # a project folder: its one plugin package
    run("update", tmp_path)
    ru = catalog(package, "ru")
    assert {m.id if isinstance(m.id, str) else m.id[0] for m in ru if m.id} == {
        "Complaint", "%(num)d day", "Greeting", "Farewell"
    }
    assert ru.num_plurals == 3 and catalog(package, "kk").num_plurals == 2
    translate_po(package, "ru", "Complaint", "Жалоба")
    (package / "hooks.py").write_text((package / "hooks.py").read_text() + "OTHER = _l('Appeal')\n")
    run("update", package)  # merges the new string, keeps the translation
    assert catalog(package, "ru").get("Appeal") is not None
    assert "ru: 1 of 5 translated" in run("compile", package)
    with app.app_context(), force_locale("ru"):
        messages = Messages("crmkit_demo", package=package)
        assert messages.gettext("Complaint") == "Жалоба"
        assert messages.gettext("Farewell") == "Farewell"


def test_translations_refuse_a_folder_that_is_no_plugin(tmp_path):
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, ["plugin", "translations", "extract", str(tmp_path)])
    assert result.exit_code == 1
    assert "is not a plugin" in result.output
