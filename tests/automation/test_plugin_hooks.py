"""A plugin adds a trigger and an action to automation: rules use them like the built-in ones,
validation knows their parameters, and the plugin fires its trigger with ``fire``."""

from __future__ import annotations

import types
from pathlib import Path

import pytest

from crmkit import db, hookimpl
from crmkit.core.automation import ActionType, Param, Trigger, fire, rules
from tests.automation.conftest import ADMIN, new_deal, runs, save_rule
from tests.pipelining import acting_as, new_pipeline, user_by_email
from tests.people import person


def telephony_plugin(sent: list):
    @hookimpl
    def automation_triggers():
        return [Trigger("telephony.call_missed", "A call is missed", (Param("times", "Missed in a row", "int"),),
                        applies=lambda entity: entity.key == "deal",
                        matches=lambda params, facts: facts["in_a_row"] >= int(params["times"]))]

    @hookimpl
    def automation_actions():
        def run(context, params):
            sent.append((context.record.id, params["text"]))
            return f"SMS: {params['text']}"

        return [ActionType("telephony.sms", "Send an SMS", run, lambda context, params: f"Would send {params['text']}",
                           (Param("text", "Text"),))]

    module = types.ModuleType("telephony")
    module.__file__ = str(Path(__file__).parent.parent / "plugins" / "inline" / "hooks.py")  # no tables
    module.automation_triggers, module.automation_actions = automation_triggers, automation_actions
    return module


@pytest.fixture
def sent():
    return []


@pytest.fixture
def app(make_app, sent):
    return make_app(plugins=[telephony_plugin(sent)], DEFAULT_LOCALE="en", JOBS_IMMEDIATE=True, AUTOMATION_CACHE_SECONDS=0)


RULE = {"name": "Missed twice: SMS", "entity": "deal", "trigger": {"type": "telephony.call_missed", "times": 2},
        "actions": [{"type": "telephony.sms", "text": "We tried to call you"}]}


def test_hook_automation_triggers(app, admin_id, sent):
    person(app, "dana@example.com")
    sales = new_pipeline(app)
    save_rule(app, RULE)
    deal_id = new_deal(app, "dana@example.com", sales)

    with acting_as(app, "dana@example.com") as records:
        deal = records.get(deal_id)
        assert fire("telephony.call_missed", records.entity, deal, in_a_row=1) == 0  # once is not twice
        records.db.commit()
    assert sent == []
    with acting_as(app, "dana@example.com") as records:
        assert fire("telephony.call_missed", records.entity, records.get(deal_id), in_a_row=2) == 1
        records.db.commit()
    assert sent == [(deal_id, "We tried to call you")]
    assert [run.result for run in runs(app, record_id=deal_id)] == ["ok"]


def test_hook_automation_actions(app, admin_id):
    with app.test_request_context():
        _cleaned, problems = rules.check({**RULE, "actions": [{"type": "telephony.sms"}]})
        assert [message for _path, message in problems] == ["Action 1 (Send an SMS): «Text» is required."]
        _cleaned, problems = rules.check({**RULE, "entity": "person"})
        assert "Trigger: unknown trigger «telephony.call_missed» for Contact." in [m for _p, m in problems]
        assert user_by_email(db.session(), ADMIN).is_active
