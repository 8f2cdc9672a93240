"""A rule on a workflow state: a deal entering Negotiation gets a task for its owner, due three
working days later, saved in the same transaction as the move."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.automation.conftest import deal_row, move_deal, new_deal, runs, save_rule, tasks_about
from tests.people import person

CALL_BACK = {"type": "create_task", "subject": "Agree the price", "assignee": "owner", "due_in": 3}


def negotiation_rule(sales, *actions):
    return {"name": "Negotiation needs a call", "entity": "deal",
            "trigger": {"type": "state_entered", "state": str(sales["Negotiation"])},
            "actions": list(actions) or [CALL_BACK]}


def test_a_deal_entering_a_stage_gets_a_task_due_three_working_days_later(app, admin_id, sales, frozen_clock):
    agent = person(app, "dana@example.com", name="Dana")
    save_rule(app, negotiation_rule(sales))
    deal_id = new_deal(app, "dana@example.com", sales)
    assert tasks_about(app, deal_id) == []

    move_deal(app, "dana@example.com", deal_id, sales["Negotiation"])

    [task] = tasks_about(app, deal_id)
    assert (task.kind, task.subject, task.owner_id, task.status) == ("task", "Agree the price", agent, "open")
    # Monday 2026-03-02 09:00 UTC plus three working days: Thursday at the same time
    assert task.happened_at.replace(tzinfo=UTC) == datetime(2026, 3, 5, 9, 0, tzinfo=UTC)
    [run] = runs(app, entity="deal", record_id=deal_id)
    assert (run.result, run.trigger, run.depth) == ("ok", "state_entered", 1)
    assert "Agree the price" in run.message


def test_a_rule_for_another_stage_does_nothing(app, admin_id, sales):
    person(app, "dana@example.com")
    save_rule(app, negotiation_rule(sales))
    deal_id = new_deal(app, "dana@example.com", sales)

    move_deal(app, "dana@example.com", deal_id, sales["Proposal"])

    assert tasks_about(app, deal_id) == []
    assert runs(app, record_id=deal_id) == []


def test_a_failing_action_undoes_the_rules_task_but_keeps_the_move(app, admin_id, sales):
    person(app, "dana@example.com")
    stage_gone = {"type": "set_field", "field": "probability", "value": "250"}  # over 100: the schema refuses it
    save_rule(app, negotiation_rule(sales, CALL_BACK, stage_gone))
    deal_id = new_deal(app, "dana@example.com", sales)

    move_deal(app, "dana@example.com", deal_id, sales["Negotiation"])

    assert deal_row(app, deal_id).stage_id == sales["Negotiation"]
    assert tasks_about(app, deal_id) == []  # the task and the failed change go together
    [run] = runs(app, record_id=deal_id)
    assert run.result == "error"
    assert "probability" in run.message
