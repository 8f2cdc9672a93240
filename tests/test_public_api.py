"""crmkit.api, the one module plugins import: every name documented, and each doing what its
docstring says for a real user on a migrated database."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from crmkit import api, db
from tests.conftest import add_user
from tests.people import PASSWORD, client_as
from tests.plugins.tickets import hooks as tickets

ROOT = Path(__file__).parent.parent
PLUGINS_DOC = ROOT / "docs" / "plugins.md"
# Plugins written only against crmkit.api (their tests against crmkit.testing too), as third parties would.
API_ONLY = {"tutorial": ROOT / "tests" / "plugins" / "tutorial", "complaints": ROOT / "plugins" / "complaints"}
ALLOWED = {"crmkit.api", "crmkit.reports", "crmkit.testing"}


def public_api_section() -> str:
    """The "## The public API" part of docs/plugins.md."""
    text = PLUGINS_DOC.read_text(encoding="utf-8")
    found = re.search(r"^## The public API\b.*?$(.*?)(?=^## |\Z)", text, re.M | re.S)
    return found.group(1) if found else ""


@pytest.mark.parametrize("name", api.__all__)
def test_every_public_name_has_a_docstring(name):
    assert (getattr(api, name).__doc__ or "").strip(), f"crmkit.api.{name} has no docstring"


@pytest.mark.parametrize("name", api.__all__)
def test_every_public_name_is_documented_in_the_plugins_guide(name):
    assert re.search(rf"`(api\.)?{name}\b", public_api_section()), (
        f"docs/plugins.md's '## The public API' section does not mention `{name}`"
    )


def test_the_declarations_are_the_objects_crmkit_exports():
    import crmkit

    for name in ("EntityType", "Record", "Workflow", "State", "hookimpl", "NavItem", "public"):
        assert getattr(api, name) is getattr(crmkit, name)


def crmkit_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names |= {node.module} if node.module != "crmkit" else {f"crmkit.{a.name}" for a in node.names}
    return {name for name in names if name == "crmkit" or name.startswith("crmkit.")}


@pytest.mark.parametrize("plugin", sorted(API_ONLY))
def test_the_example_plugins_import_only_the_public_api(plugin):
    files = [p for p in API_ONLY[plugin].rglob("*.py") if "migrations" not in p.parts]
    assert files, f"no Python files in {API_ONLY[plugin]}"
    used = {name: path.name for path in files for name in crmkit_imports(path) if name not in ALLOWED}
    assert not used, f"{plugin} imports crmkit internals: {used}"


@pytest.fixture
def ticket_app(make_app):
    app = make_app(plugins=[tickets])
    ids = {role: add_user(app, f"{role}@example.com", PASSWORD, role=role).id
           for role in ("admin", "agent")}
    app.user_ids = ids
    return app


def user(app, role):
    from crmkit.core.auth.models import User

    return db.session().get(User, app.user_ids[role])


def test_an_entity_is_found_by_its_key_and_an_unknown_key_names_the_known_ones(ticket_app):
    with ticket_app.app_context():
        assert api.entity("tickets.ticket").model is tickets.Ticket
        assert "tickets.ticket" in {e.key for e in api.entities()}
        with pytest.raises(LookupError, match="tickets.ticket"):
            api.entity("tickets.tiket")


def test_records_create_list_update_and_archive_as_the_user_given(ticket_app):
    with ticket_app.app_context():
        agent = user(ticket_app, "agent")
        records = api.Records("tickets.ticket", user=agent)
        ticket = records.create({"title": "Printer jams"})
        assert ticket.owner_id == agent.id and ticket.status == "new"
        records.update(ticket, {"status": "in_progress"}, version=ticket.version)
        assert [t.title for t in records.list(records.model.status == "in_progress")] == ["Printer jams"]
        with pytest.raises(api.Forbidden):  # agents may not archive
            records.archive(ticket)
        api.Records("tickets.ticket", user=user(ticket_app, "admin")).archive(ticket)
        assert records.list() == []


def test_records_keep_the_workflow_and_validation(ticket_app):
    with ticket_app.app_context():
        records = api.Records("tickets.ticket", user=user(ticket_app, "agent"))
        ticket = records.create({"title": "Login fails"})
        with pytest.raises(api.Invalid) as refused:
            records.update(ticket, {"status": "resolved"}, version=None)
        assert "status" in refused.value.fields or "resolution" in refused.value.fields


def test_records_hide_what_the_user_may_not_see(ticket_app):
    with ticket_app.app_context():
        admins = api.Records("tickets.ticket", user=user(ticket_app, "admin"))
        theirs = admins.create({"title": "Admin's own"})
        agents = api.Records("tickets.ticket", user=user(ticket_app, "agent"))
        with pytest.raises(api.NotFound):
            agents.get(theirs.id)
        assert agents.list() == []


def test_records_outside_a_request_need_a_user(ticket_app):
    with ticket_app.app_context(), pytest.raises(api.PermissionDenied):
        api.Records("tickets.ticket")


def test_the_urls_of_an_entitys_pages(ticket_app):
    with ticket_app.test_request_context():
        assert api.list_url("tickets.ticket", status="new") == "/tickets/ticket/?status=new"
        assert api.detail_url("tickets.ticket", 7) == "/tickets/ticket/7"
        assert api.new_url("tickets.ticket", title="Hi") == "/tickets/ticket/new?title=Hi"
        assert api.edit_url(api.entity("tickets.ticket"), 7) == "/tickets/ticket/7/edit"
        assert api.import_url("tickets.ticket") == "/transfer/tickets.ticket/import"
        assert api.export_url("tickets.ticket", format="xlsx") == "/transfer/tickets.ticket/export?format=xlsx"
        assert api.endpoint("person", "list") == "records.person_list"
        with pytest.raises(ValueError):
            api.endpoint("person", "board")


def test_the_urls_lead_to_the_pages(ticket_app):
    client = client_as(ticket_app, "admin@example.com")
    with ticket_app.test_request_context():
        urls = [api.list_url("tickets.ticket"), api.new_url("tickets.ticket"), api.import_url("tickets.ticket"),
                api.export_url("tickets.ticket")]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)


def test_permission_checks(ticket_app):
    with ticket_app.app_context():
        agent = user(ticket_app, "agent")
        assert api.can(agent, "tickets.ticket.edit")
        assert not api.can(agent, "tickets.ticket.archive")
        assert not api.can(None, "tickets.ticket.view")
        api.require(agent, "tickets.ticket.view", "tickets.ticket.create")
        with pytest.raises(api.PermissionDenied, match="tickets.ticket.archive"):
            api.require(agent, "tickets.ticket.view", "tickets.ticket.archive")


def test_a_refused_permission_is_a_403_page_in_a_view(ticket_app):
    with ticket_app.test_request_context():
        assert api.current_user() is None
        with pytest.raises(api.PermissionDenied) as refused:
            api.require(api.current_user(), "tickets.ticket.view")
    assert refused.value.code == 403 and refused.value.status == 403


def test_mail_is_off_until_a_server_is_set(ticket_app):
    with ticket_app.app_context():
        assert api.send_mail(["a@example.com", "b@example.com"], "Subject", "Body") is False


# REQUIRES: a plugin's lineage migrates after the lineages of the plugins its tables refer to


def plugin_called(name, requires=()):
    from types import ModuleType

    from crmkit.plugins import Plugin

    module = ModuleType(f"crmkit_{name}.hooks")
    module.REQUIRES = requires
    return Plugin(name, module, "1.0")


def test_a_plugin_migrates_after_the_plugins_it_requires_whatever_their_names():
    from crmkit.migrate import in_required_order

    alpha = plugin_called("alpha", requires=("zulu",))
    zulu = plugin_called("zulu", requires=(plugin_called("mike").module,))  # a module is named as plugins are
    mike = plugin_called("mike")
    assert [p.name for p in in_required_order([alpha, mike, zulu])] == ["mike", "zulu", "alpha"]


def test_plugins_that_require_each_other_stop_start_up_naming_the_cycle():
    from crmkit.migrate import MigrationError, in_required_order

    with pytest.raises(MigrationError, match="alpha -> zulu -> alpha"):
        in_required_order([plugin_called("alpha", requires=("zulu",)), plugin_called("zulu", requires=("alpha",))])


def test_the_apps_lineages_follow_requires(make_app):
    from tests.plugins.projects import hooks as projects
    from tests.plugins.scoring import hooks as scoring

    app = make_app(plugins=[scoring, projects])  # scoring's table refers to projects'
    assert [lineage.name for lineage in app.extensions["crmkit"].lineages] == ["core", "projects", "scoring"]
