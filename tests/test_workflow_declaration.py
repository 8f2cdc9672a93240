"""Declaring a workflow: states and transitions are checked when declared, and which states may
follow which (tests/test_workflow.py has the enforcement over HTTP)."""

import pytest

from crmkit import EntityType, State, Workflow
from crmkit.entities.registry import EntityError, check
from crmkit.entities.workflow import TransitionRefused, allowed_targets, check_move
from tests.plugins.tickets import hooks as tickets
from tests.plugins.tickets.hooks import Ticket, TicketSchema

OPEN, WON, LOST = State("open", "Open"), State("won", "Won", kind="won"), State("lost", "Lost", kind="lost", requires=("note",))
OLD = State("old", "Old", archived=True)


def keys(states):
    return [state.key for state in states]


def test_a_state_of_an_unknown_kind_is_refused_when_declared():
    with pytest.raises(ValueError, match="kind must be one of open, won, lost, closed"):
        State("done", "Done", kind="finished")


def test_transitions_naming_an_unknown_state_are_refused_when_declared():
    with pytest.raises(ValueError, match="unknown states: gone"):
        Workflow("status", (OPEN, WON), {"open": ["won", "gone"]})


def test_two_states_with_one_key_are_refused_when_declared():
    with pytest.raises(ValueError, match="two states share a key"):
        Workflow("status", (OPEN, State("open", "Again")))


def test_without_transitions_any_state_may_follow_any_but_an_archived_one():
    workflow = Workflow("status", (OPEN, WON, LOST, OLD))
    assert keys(workflow.targets(None, {}, "open")) == ["won", "lost"]
    assert keys(workflow.targets(None, {}, "old")) == ["open", "won", "lost"]
    assert keys(workflow.targets(None, {}, None)) == ["open", "won", "lost"]


def test_the_none_key_lists_the_states_a_new_record_may_start_in():
    workflow = Workflow("status", (OPEN, WON, LOST), {None: ["open"], "open": ["won", "lost"]})
    assert keys(workflow.targets(None, {}, None)) == ["open"]
    assert keys(Workflow("status", (OPEN, WON), {"open": ["won"]}).targets(None, {}, None)) == ["open", "won"]


def test_a_record_in_a_state_the_workflow_no_longer_knows_may_move_anywhere():
    workflow = Workflow("status", (OPEN, WON), {"open": ["won"], "won": []})
    assert keys(workflow.targets(None, {}, "vanished")) == ["open", "won"]


def test_states_and_transitions_may_be_functions_of_the_record():
    seen = []

    def states(db, values):
        seen.append(("states", values["pipeline_id"]))
        return [State(f"{values['pipeline_id']}-{n}", f"Stage {n}") for n in (1, 2, 3)]

    def transitions(db, values, source):
        seen.append(("transitions", source))
        return ["7-3"]

    workflow = Workflow("stage_id", states, transitions)
    assert keys(workflow.targets("db", {"pipeline_id": 7}, "7-1")) == ["7-3"]
    assert seen == [("states", 7), ("transitions", "7-1")]


def entity_with(workflow):
    return EntityType(name="ticket", model=Ticket, schema=TicketSchema, label="T", label_plural="Ts",
                      title_field="title", workflow=workflow, plugin="tickets")


def test_an_entity_whose_workflow_names_no_field_of_it_is_refused_at_start_up():
    with pytest.raises(EntityError, match="the workflow's field 'stage' is not a field"):
        check(entity_with(Workflow("stage", (OPEN,))))
    check(entity_with(Workflow("status", (OPEN,))))


def test_allowed_targets_are_the_moves_open_to_a_record_now():
    entity = entity_with(tickets.WORKFLOW)
    assert keys(allowed_targets(entity, None, Ticket(title="Jam", status="in_progress"))) == ["new", "resolved", "rejected"]
    assert keys(allowed_targets(entity, None, None)) == ["new", "in_progress"]


def test_a_new_record_with_no_state_open_to_it_is_refused_saying_so(make_app):
    app = make_app(plugins=[tickets], CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")
    closed = entity_with(Workflow("status", (OLD,)))
    with app.test_request_context(), pytest.raises(TransitionRefused) as refused:
        check_move(closed, None, None, None, {"status": "old"})
    assert refused.value.fields == {"status": ["No state is open to this record."]} and refused.value.allowed == []
