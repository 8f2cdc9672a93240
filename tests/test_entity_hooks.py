"""The entity hooks, each proven through the real app with the projects test plugin."""

import types
from pathlib import Path

import pytest
from flask_babel import lazy_gettext as _l

from crmkit import Action, EntityType, Invalid, Panel, Permission, hookimpl
from crmkit.entities.registry import EntityError
from crmkit.plugins import PluginError
from tests.conftest import csrf_token
from tests.plugins.projects import hooks as projects


INLINE = Path(__file__).parent / "plugins" / "inline"  # templates/inline/panel.html


def plugin(name, **impls):
    """A plugin module called ``name`` implementing the given hooks."""
    module = types.ModuleType(name)
    module.__file__ = str(INLINE / "hooks.py")
    for hook, function in impls.items():
        setattr(module, hook, hookimpl(specname=hook)(function))
    return module


def new_project(client, name="Flat on Abay"):
    token = csrf_token(client, "/projects/project/new")
    return client.post("/projects/project/new", data={"name": name, "status": "planned", "csrf_token": token})


def test_hook_register_entities(make_app, admin_client_for):
    app = make_app(plugins=[projects])
    entity = app.extensions["crmkit"].entities.get("projects.project")
    assert entity.plugin == "projects" and entity.path == "projects/project"
    client = admin_client_for(app)
    assert client.get("/projects/project/").status_code == 200


def test_an_entity_listing_a_missing_column_stops_start_up_naming_plugin_and_field(make_app):
    broken = plugin(
        "broken_entity",
        register_entities=lambda: [
            EntityType("thing", projects.Project, projects.ProjectSchema, "Thing", "Things", list_columns=("colour",))
        ],
    )
    with pytest.raises(EntityError, match=r"plugin 'broken_entity'.*list_columns.*colour"):
        make_app(plugins=[projects, broken])


def test_hook_register_permissions(make_app):
    extra = plugin("perms", register_permissions=lambda: [Permission("perms.approve", _l("Approve"))])
    permissions = make_app(plugins=[projects, extra]).extensions["crmkit"].permissions
    assert "perms.approve" in permissions
    assert {"projects.project.view", "projects.project.export"} <= set(permissions)


def test_a_permission_declared_twice_stops_start_up(make_app):
    twice = plugin("twice", register_permissions=lambda: [Permission("core.manage_users", "again")])
    with pytest.raises((PluginError, ValueError), match="core.manage_users"):
        make_app(plugins=[twice])


def test_hook_entity_event(make_app, admin_client_for):
    seen = []
    watcher = plugin("watcher", entity_event=lambda event, entity, record, changes, user: seen.append((event, entity.key)))
    client = admin_client_for(make_app(plugins=[projects, watcher]))
    new_project(client)
    assert seen == [("before_create", "projects.project"), ("after_create", "projects.project")]


def test_a_before_event_can_refuse_a_change_with_a_field_message(make_app, admin_client_for):
    def refuse(event, entity, record, changes, user):
        if event == "before_create" and record.name.startswith("Secret"):
            raise Invalid({"name": ["Secret projects are not allowed."]})

    client = admin_client_for(make_app(plugins=[projects, plugin("guard", entity_event=refuse)]))
    response = new_project(client, name="Secret plan")
    assert response.status_code == 422
    assert "Secret projects are not allowed." in response.get_data(as_text=True)
    assert "Secret plan</a>" not in client.get("/projects/project/").get_data(as_text=True)


def test_hook_entity_panels(make_app, admin_client_for):
    panels = plugin(
        "panels",
        entity_panels=lambda entity, record, user: [Panel("Budget check", "inline/panel.html", {"text": f"#{record.id} ok"})],
    )
    client = admin_client_for(make_app(plugins=[projects, panels]))
    page = client.get(new_project(client).location).get_data(as_text=True)
    assert "Budget check" in page and "#1 ok" in page


def test_hook_entity_actions(make_app, admin_client_for):
    actions = plugin(
        "actions",
        entity_actions=lambda entity, record, user: [Action("Send offer", f"/offers/{record.id}", method="post")],
    )
    client = admin_client_for(make_app(plugins=[projects, actions]))
    page = client.get(new_project(client).location).get_data(as_text=True)
    assert 'action="/offers/1"' in page and "Send offer" in page
