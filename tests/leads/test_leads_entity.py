"""The lead entity: its list, workflow and the payload shown to admins alone."""

from __future__ import annotations

from crmkit import db
from crmkit.core.leads.intake import Incoming, receive
from crmkit.types import IntakeSource


def a_lead(app, **fields):
    with app.app_context():
        lead, _ = receive(Incoming(channel="form", raw={"secret_field": "tracking-123"}, **fields))
        db.session().commit()
        return lead.id


def test_the_lead_list_shows_received_leads(app, admin_client):
    a_lead(app, name="Айгуль <script>")
    page = admin_client.get("/lead/")
    assert page.status_code == 200
    assert "Айгуль &lt;script&gt;" in page.text


def test_an_admin_sees_the_raw_payload_an_agent_does_not(app, admin_client, make_user, client_for):
    agent = make_user("agent")
    lead_id = a_lead(app, name="Raw")
    with app.app_context():
        from crmkit.core.leads.models import Lead
        db.session().get(Lead, lead_id).owner_id = agent.id
        db.session().commit()
    assert "tracking-123" in admin_client.get(f"/lead/{lead_id}").text
    page = client_for(agent).get(f"/lead/{lead_id}")
    assert page.status_code == 200 and "tracking-123" not in page.text


def test_rejecting_needs_a_reason(app, api_client):
    lead_id = a_lead(app)
    client = api_client("admin")
    version = client.get(f"/api/v1/lead/{lead_id}").json["version"]
    refused = client.patch(f"/api/v1/lead/{lead_id}", json={"status": "rejected", "version": version})
    assert refused.status_code == 422 and "rejection_reason" in refused.json["error"]["fields"]
    done = client.patch(f"/api/v1/lead/{lead_id}", json={"status": "rejected", "rejection_reason": "spam", "version": version})
    assert done.status_code == 200 and done.json["status"] == "rejected"


def test_hook_intake_sources(app):
    with app.app_context():
        declared = [s for found in app.extensions["crmkit"].pm.hook.intake_sources() for s in found]
        assert all(isinstance(source, IntakeSource) for source in declared)
        assert "manual" in {source.key for source in declared}


def test_an_activity_about_a_lead_and_a_status_change_are_actions_on_it(app, make_user, frozen_clock):
    from crmkit.core.leads.models import Lead
    from crmkit.entities.service import Records

    lead_id = a_lead(app)
    admin = make_user("admin")
    frozen_clock.tick(3600)
    with app.app_context():
        activities = Records(app.extensions["crmkit"].entities.get("activity"), admin)
        activities.create({"kind": "call", "subject": "Called back", "about_entity": "lead", "about_id": lead_id})
        touched = db.session().get(Lead, lead_id).last_action_at
    assert touched == frozen_clock.now()
    frozen_clock.tick(60)
    with app.app_context():
        leads = Records(app.extensions["crmkit"].entities.get("lead"), admin)
        lead = leads.get(lead_id)
        leads.update(lead, {"status": "accepted"}, lead.version)
        assert db.session().get(Lead, lead_id).last_action_at == frozen_clock.now()
