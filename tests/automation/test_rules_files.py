"""`crmkit rules export | diff | apply`: rules as YAML with names instead of ids, the same file
after a trip through a fresh instance, and a bad rule refused with its line, nothing applied."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from crmkit import db
from crmkit.core.access.models import Department
from crmkit.core.automation import rules
from crmkit.core.automation.models import Rule
from crmkit.testing import own_database
from tests.automation.conftest import ADMIN, new_deal, runs, save_rule
from tests.pipelining import new_pipeline, user_by_email
from tests.people import person

BAD_FIELD = """\
rules:
- name: Big deals get a call
  entity: deal
  enabled: true
  trigger:
    type: record_created
  conditions:
    match: all
    items:
    - field: budget
      op: gt
      value: 1000
  actions:
  - type: create_task
    subject: Call them
"""


def staff(app):
    """The same people and departments on every instance, as a real move between instances has."""
    person(app, ADMIN, role="admin", name="Rules Admin")
    boss = person(app, "boss@example.com", role="manager")
    with app.app_context():
        session = db.session()
        session.add(Department(name="Closers"))
        session.commit()
        closers = session.execute(select(Department.id)).scalar_one()
    return {"boss": boss, "closers": closers, **new_pipeline(app)}


def some_rules(app, ids):
    save_rule(app, {"name": "Negotiation needs a call", "entity": "deal",
                    "trigger": {"type": "state_entered", "state": str(ids["Negotiation"])},
                    "conditions": {"match": "any", "items": [
                        {"field": "amount", "op": "gt", "value": "1000000"},
                        {"field": "owner_department", "op": "eq", "value": ids["closers"]},
                        {"match": "all", "items": [{"field": "stage_id", "op": "in", "value": [ids["Proposal"], ids["Won"]]}]},
                    ]},
                    "actions": [{"type": "create_task", "subject": "Agree the price", "assignee": ids["boss"], "due_in": 3},
                                {"type": "move", "state": str(ids["Won"])}]})
    save_rule(app, {"name": "Idle deals go to closers", "entity": "deal", "trigger": {"type": "idle", "days": 7},
                    "actions": [{"type": "assign", "department": ids["closers"]}], "enabled": False})


def export(app, runner_of) -> str:
    result = runner_of(app).invoke(args=["rules", "export"])
    assert result.exit_code == 0, result.output
    return result.output


def runner_of(app):
    return app.test_cli_runner()


def test_export_names_people_stages_and_departments_never_ids(app):
    ids = staff(app)
    some_rules(app, ids)

    text = export(app, runner_of)

    assert "state: 'Sales: Negotiation'" in text
    assert "assignee: boss@example.com" in text
    assert "department: Closers" in text and "value: Closers" in text
    assert f"state: '{ids['Negotiation']}'" not in text
    assert text.index("Idle deals go to closers") < text.index("Negotiation needs a call")  # by name


def test_export_apply_on_a_fresh_instance_and_export_again_give_the_same_file(app, make_app, tmp_path):
    ids = staff(app)
    some_rules(app, ids)
    first = export(app, runner_of)
    path = tmp_path / "rules.yaml"
    path.write_text(first, encoding="utf-8")

    (tmp_path / "fresh").mkdir()
    with own_database(tmp_path / "fresh", name="fresh") as url:
        fresh = make_app(DATABASE_URL=url, DEFAULT_LOCALE="en", JOBS_IMMEDIATE=True)
        staff(fresh)
        new_pipeline(fresh, en="Rent")  # another pipeline first: the ids differ from the first instance's
        applied = runner_of(fresh).invoke(args=["rules", "apply", str(path), "--as-user", ADMIN])
        assert applied.exit_code == 0, applied.output
        assert "2 added" in applied.output
        assert export(fresh, runner_of) == first
        again = runner_of(fresh).invoke(args=["rules", "diff", str(path)])
        assert again.exit_code == 0 and "No changes" in again.output


def test_diff_shows_what_apply_would_change(app, tmp_path):
    ids = staff(app)
    some_rules(app, ids)
    path = tmp_path / "rules.yaml"
    path.write_text(export(app, runner_of).replace("subject: Agree the price", "subject: Agree the final price"), encoding="utf-8")

    result = runner_of(app).invoke(args=["rules", "diff", str(path)])

    assert result.exit_code == 0
    assert "-    subject: Agree the price" in result.output
    assert "+    subject: Agree the final price" in result.output


def test_a_rule_naming_a_field_the_entity_lacks_is_refused_at_apply_with_its_line(app, tmp_path):
    staff(app)
    path = tmp_path / "rules.yaml"
    path.write_text(BAD_FIELD + BAD_FIELD.replace("rules:\n", "").replace("Big deals", "Other deals")
                    .replace("budget", "amount"), encoding="utf-8")

    result = runner_of(app).invoke(args=["rules", "apply", str(path), "--as-user", ADMIN])

    assert result.exit_code == 1
    assert "line 10: Rule «Big deals get a call»: Condition 1: Deal has no field «budget»." in result.output
    with app.app_context():
        assert db.session().execute(select(func.count()).select_from(Rule)).scalar_one() == 0  # not even the good one


def test_a_rule_naming_a_field_the_entity_lacks_is_refused_when_saved(app):
    staff(app)
    with app.test_request_context():
        session = db.session()
        with pytest.raises(rules.RuleInvalid) as refused:
            rules.save(session, {"name": "Bad", "entity": "deal", "trigger": {"type": "field_changed", "field": "budget"},
                                 "actions": [{"type": "set_field", "field": "budget", "value": "1"}]},
                       user_by_email(session, ADMIN))
    assert [message for _path, message in refused.value.problems] == [
        "Trigger (A field changes): Deal has no field «budget».",
        "Action 1 (Set a field): Deal has no field «budget».",
    ]


def test_unknown_triggers_actions_and_people_are_refused_with_their_lines(app, tmp_path):
    staff(app)
    path = tmp_path / "rules.yaml"
    path.write_text("rules:\n- name: Odd\n  entity: deal\n  trigger:\n    type: moon_phase\n  actions:\n"
                    "  - type: teleport\n- name: Nobody\n  entity: deal\n  trigger:\n    type: record_created\n"
                    "  actions:\n  - type: assign\n    user: ghost@example.com\n", encoding="utf-8")

    result = runner_of(app).invoke(args=["rules", "apply", str(path), "--as-user", ADMIN])

    assert result.exit_code == 1
    assert "line 5: Rule «Odd»: Trigger: unknown trigger «moon_phase» for Deal." in result.output
    assert "line 7: Rule «Odd»: Action 1: unknown action «teleport» for Deal." in result.output
    assert "line 8: Rule «Nobody»: there is no user with the email «ghost@example.com»." in result.output


def test_a_rule_whose_field_was_removed_after_it_was_saved_fails_with_a_clear_run_log(app, tmp_path):
    ids = staff(app)
    rule_id = save_rule(app, {"name": "Big deals", "entity": "deal", "trigger": {"type": "record_created"},
                              "conditions": {"match": "all", "items": [{"field": "amount", "op": "gt", "value": "1"}]},
                              "actions": [{"type": "create_task", "subject": "Call"}]})
    with app.app_context():  # as if a plugin that added the field was switched off since
        session = db.session()
        rule = session.get(Rule, rule_id)
        rule.conditions = {"match": "all", "items": [{"field": "budget", "op": "gt", "value": "1"}]}
        session.commit()
    person(app, "dana@example.com")
    deal_id = new_deal(app, "dana@example.com", ids)

    [run] = runs(app, record_id=deal_id)
    assert run.result == "error"
    assert run.message == "The rule names a field Deal no longer has: «budget». Change the rule."
    path = tmp_path / "rules.yaml"
    path.write_text(export(app, runner_of), encoding="utf-8")  # and the file it exports is refused, naming the field
    path_problems = runner_of(app).invoke(args=["rules", "diff", str(path)])
    assert path_problems.exit_code == 1
    assert "Condition 1: Deal has no field «budget»." in path_problems.output
