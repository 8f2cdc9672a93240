"""Installed like any plugin: enabled and disabled from the command line, its pages go with it and
the core keeps working; its own catalog speaks Russian and Kazakh."""

import pytest


def cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


@pytest.fixture
def build(make_app):
    return lambda **config: make_app(plugins=[], LOAD_ENTRY_POINTS=True, **config)


def test_disabling_telephony_removes_its_pages_and_the_core_keeps_working(build, client_for):
    assert cli(build(), "plugins", "enable", "telephony").exit_code == 0
    app = build()
    assert app.extensions["crmkit"].is_active("telephony")
    admin = client_for("admin", app=app)
    assert admin.get("/telephony/missed").status_code == 200
    result = cli(app, "plugins", "disable", "telephony")
    assert result.exit_code == 0, result.output
    app = build()
    assert not app.extensions["crmkit"].is_active("telephony")
    admin = client_for("admin", app=app)
    assert admin.get("/telephony/missed").status_code == 404
    assert admin.post("/telephony/webhook/generic", data=b"{}").status_code in (404, 400)
    assert admin.get("/").status_code == 200 and admin.get("/person/").status_code == 200


def test_the_queue_speaks_russian_and_kazakh(client_for, make_user):
    assert "Пропущенные звонки" in client_for(make_user("agent", locale="ru")).get("/telephony/missed").get_data(as_text=True)
    assert "Өткізіп алған қоңыраулар" in client_for(make_user("agent", locale="kk")).get("/telephony/missed").get_data(as_text=True)
