"""Managing webhooks: the admin page (admins only) and `crmkit webhooks add/list/remove`."""

import json
import re

from sqlalchemy import select

from crmkit import db
from crmkit.core.webhooks.models import Webhook
from tests.conftest import add_user, csrf_token, login
from tests.plugins.projects import hooks as projects

URL = "http://127.0.0.1:9/hook"


def webhooks(app):
    with app.app_context():
        return list(db.session().execute(select(Webhook).order_by(Webhook.id)).scalars())


def add_on_page(client, **form):
    token = csrf_token(client, "/admin/webhooks/")
    return client.post("/admin/webhooks/", data={"csrf_token": token, **form}, follow_redirects=True)


def test_an_admin_adds_a_webhook_and_sees_its_secret_once(make_app, admin_client_for):
    app = make_app(plugins=[projects])
    client = admin_client_for(app)
    page = add_on_page(client, url=URL, entity="projects.project", events=["create", "update"]).get_data(as_text=True)
    [webhook] = webhooks(app)
    assert (webhook.entity, webhook.events, webhook.url, webhook.active) == ("projects.project", ["create", "update"], URL, True)
    assert webhook.secret in page and webhook.created_by is not None
    listing = client.get("/admin/webhooks/").get_data(as_text=True)
    assert URL in listing and webhook.secret not in listing


def test_the_page_refuses_an_address_that_is_not_http(make_app, admin_client_for):
    app = make_app(plugins=[projects])
    page = add_on_page(admin_client_for(app), url="file:///etc/passwd").get_data(as_text=True)
    assert "http://" in page and webhooks(app) == []


def test_an_admin_switches_a_webhook_off_and_removes_it(make_app, admin_client_for):
    app = make_app(plugins=[projects])
    client = admin_client_for(app)
    add_on_page(client, url=URL)
    webhook_id = webhooks(app)[0].id
    token = csrf_token(client, "/admin/webhooks/")
    client.post(f"/admin/webhooks/{webhook_id}/active", data={"csrf_token": token, "active": "0"})
    assert webhooks(app)[0].active is False
    client.post(f"/admin/webhooks/{webhook_id}/remove", data={"csrf_token": token})
    assert webhooks(app) == []


def test_non_admins_get_403_from_the_webhooks_page_and_its_forms(make_app, admin_client_for):
    app = make_app(plugins=[projects])
    admin = admin_client_for(app)
    add_on_page(admin, url=URL)
    add_user(app, "agent@example.com", role="agent")
    agent = app.test_client()
    login(agent, "agent@example.com")
    token = csrf_token(agent, "/")
    assert agent.get("/admin/webhooks/").status_code == 403
    assert agent.post("/admin/webhooks/", data={"csrf_token": token, "url": URL}).status_code == 403
    assert agent.post(f"/admin/webhooks/{webhooks(app)[0].id}/remove", data={"csrf_token": token}).status_code == 403
    assert len(webhooks(app)) == 1
    assert "/admin/webhooks/" not in agent.get("/").get_data(as_text=True)
    assert "/admin/webhooks/" in admin.get("/").get_data(as_text=True)


def test_a_form_without_a_csrf_token_is_refused(make_app, admin_client_for):
    app = make_app(plugins=[projects])
    assert admin_client_for(app).post("/admin/webhooks/", data={"url": URL}).status_code == 400
    assert webhooks(app) == []


def test_cli_adds_lists_and_removes_webhooks(make_app):
    app = make_app(plugins=[projects])
    runner = app.test_cli_runner()
    added = runner.invoke(args=["webhooks", "add", URL, "--entity", "projects.project", "--event", "create"])
    assert added.exit_code == 0, added.output
    [webhook] = webhooks(app)
    assert webhook.secret in added.output and webhook.events == ["create"] and webhook.created_by is None
    listed = runner.invoke(args=["webhooks", "list"]).output
    assert re.search(rf"^{webhook.id}\tprojects.project\tcreate\ton\t{re.escape(URL)}$", listed, re.M)
    as_json = json.loads(runner.invoke(args=["webhooks", "list", "--json"]).output)
    assert as_json[0]["url"] == URL and "secret" not in as_json[0]
    assert runner.invoke(args=["webhooks", "remove", str(webhook.id)]).exit_code == 0
    assert webhooks(app) == []


def test_cli_refuses_an_unknown_entity_and_a_missing_webhook(make_app):
    app = make_app(plugins=[projects])
    runner = app.test_cli_runner()
    unknown = runner.invoke(args=["webhooks", "add", URL, "--entity", "projects.nothing"])
    assert unknown.exit_code != 0 and "projects.nothing" in unknown.output
    missing = runner.invoke(args=["webhooks", "remove", "42"])
    assert missing.exit_code != 0 and "42" in missing.output


def test_cli_webhook_as_a_user_sends_only_what_that_user_sees(make_app):
    app = make_app(plugins=[projects])
    agent = add_user(app, "agent@example.com", role="agent")
    result = app.test_cli_runner().invoke(args=["webhooks", "add", URL, "--as-user", "agent@example.com"])
    assert result.exit_code == 0, result.output
    assert webhooks(app)[0].created_by == agent.id


def test_the_page_shows_recent_deliveries_with_their_attempts(make_app, admin_client_for):
    from tests.webhook_receiver import Receiver

    app = make_app(plugins=[projects], JOBS_IMMEDIATE=True)
    client = admin_client_for(app)
    with Receiver(statuses=[500]) as failing:
        add_on_page(client, url=failing.url)
        token = csrf_token(client, "/projects/project/new")
        client.post("/projects/project/new", data={"name": "Watched", "csrf_token": token})
        failing.wait_for(1)
    page = client.get("/admin/webhooks/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Projects #1" in page and "created ·" in page  # the entity and the event by their names
    assert "HTTP 500" in page
    assert "pending" in page
