"""The automation pages: only for those allowed, a rule built on the form from what the entity
declares, refused with the part named, tried on a record without doing anything, switched off,
and the run log filtered by rule and result."""

from __future__ import annotations

import re

from tests.automation.conftest import ADMIN, move_deal, new_deal, runs, save_rule, tasks_about
from tests.people import client_as, page, person, post


def form(sales, **changes):
    fields = {"name": "Negotiation needs a call", "entity": "deal", "enabled": "1", "trigger": "state_entered",
              "trigger-state_entered-state": str(sales["Negotiation"]), "match": "all", "condition_rows": "1",
              "condition-0-field": "amount", "condition-0-op": "gt", "condition-0-value": "1000",
              "action_rows": "1", "action-0-type": "create_task", "action-0-create_task-subject": "Agree the price",
              "action-0-create_task-assignee": "owner", "action-0-create_task-due_in": "3"}
    return {**fields, **changes}


def test_agents_may_not_see_the_rules(app, admin_id):
    person(app, "dana@example.com")
    agent = client_as(app, "dana@example.com")
    assert agent.get("/admin/automation/").status_code == 403
    assert agent.get("/admin/automation/log").status_code == 403


def test_the_form_offers_what_the_entity_declares(app, admin_id, sales):
    html = page(client_as(app, ADMIN), "/admin/automation/new?entity=deal")
    assert '<option value="state_entered">A record enters a state</option>' in html
    assert '<option value="expected_close_on">Expected close</option>' in html
    assert re.search(r'<option value="owner_department">Owner(&#39;|\')s department</option>', html)
    assert '<option value="move">Move to a state</option>' in html


def test_a_rule_saved_on_the_form_runs(app, admin_id, sales):
    admin = client_as(app, ADMIN)
    saved = post(admin, "/admin/automation/new", {**form(sales), "save": "1"}, "/admin/automation/new")
    assert saved.status_code == 302
    shown = page(admin, saved.location)
    assert 'value="Negotiation needs a call"' in shown
    assert re.search(r'<option value="%d" selected>Sales: Negotiation</option>' % sales["Negotiation"], shown)

    person(app, "dana@example.com")
    deal_id = new_deal(app, "dana@example.com", sales, amount="5000")
    move_deal(app, "dana@example.com", deal_id, sales["Negotiation"])
    assert [t.subject for t in tasks_about(app, deal_id)] == ["Agree the price"]


def test_a_bad_rule_is_refused_naming_the_part(app, admin_id, sales):
    admin = client_as(app, ADMIN)
    answer = post(admin, "/admin/automation/new", {**form(sales, **{"condition-0-value": "lots"}), "save": "1"},
                  "/admin/automation/new")
    assert answer.status_code == 422
    assert "Condition 1: the value of «Amount» must be a number." in answer.get_data(as_text=True)


def test_trying_a_rule_on_a_record_says_what_would_happen_and_does_nothing(app, admin_id, sales, frozen_clock):
    person(app, "dana@example.com", name="Dana")
    deal_id = new_deal(app, "dana@example.com", sales, amount="5000")
    admin = client_as(app, ADMIN)

    answer = post(admin, "/admin/automation/new", {**form(sales), "try": "1", "record_id": str(deal_id)}, "/admin/automation/new")

    html = answer.get_data(as_text=True)
    assert answer.status_code == 200, html
    assert "they hold" in html
    assert "Create «Agree the price» for the owner (Dana), due 2026-03-05T09:00+00:00." in html
    assert tasks_about(app, deal_id) == [] and runs(app) == []


def test_a_rule_switched_off_does_not_run(app, admin_id, sales):
    rule_id = save_rule(app, {"name": "Created", "entity": "deal", "trigger": {"type": "record_created"},
                              "actions": [{"type": "create_task", "subject": "Say hello"}]})
    admin = client_as(app, ADMIN)
    assert post(admin, f"/admin/automation/{rule_id}/enabled", {"enabled": "0"}, "/admin/automation/").status_code == 302
    person(app, "dana@example.com")
    deal_id = new_deal(app, "dana@example.com", sales)
    assert tasks_about(app, deal_id) == []
    assert "Switch on" in page(admin, "/admin/automation/")


def test_the_log_is_filtered_by_rule_and_result(app, admin_id, sales):
    person(app, "dana@example.com")
    good = save_rule(app, {"name": "Hello", "entity": "deal", "trigger": {"type": "record_created"},
                           "actions": [{"type": "create_task", "subject": "Say hello"}]})
    save_rule(app, {"name": "Only big", "entity": "deal", "trigger": {"type": "record_created"},
                    "conditions": {"match": "all", "items": [{"field": "amount", "op": "gt", "value": "1000000"}]},
                    "actions": [{"type": "create_task", "subject": "Big one"}]})
    new_deal(app, "dana@example.com", sales)
    admin = client_as(app, ADMIN)

    done = page(admin, f"/admin/automation/log?rule={good}&result=ok")
    skipped = page(admin, "/admin/automation/log?result=skipped")

    assert "Hello" in done and "Only big" not in done.split("<tbody>")[1]
    assert "The conditions do not hold." in skipped and "Say hello" not in skipped
