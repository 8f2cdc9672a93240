"""Rules that set each other off stop at the depth limit, with the reason in the run log and on
the record's timeline; the change that started them is kept."""

from __future__ import annotations

from tests.automation.conftest import deal_row, new_deal, runs, save_rule
from tests.pipelining import acting_as
from tests.people import client_as, person


def ping_pong(app):
    """Probability 10 sets it to 20, and 20 sets it back to 10: each rule fires the other."""
    for start, end in ((10, 20), (20, 10)):
        save_rule(app, {"name": f"From {start} to {end}", "entity": "deal",
                        "trigger": {"type": "field_changed", "field": "probability", "to": start},
                        "actions": [{"type": "set_field", "field": "probability", "value": end}]})


def test_rules_that_trigger_each_other_stop_at_the_depth_limit(app, admin_id, sales):
    person(app, "dana@example.com")
    ping_pong(app)
    deal_id = new_deal(app, "dana@example.com", sales)

    with acting_as(app, "dana@example.com") as records:
        deal = records.get(deal_id)
        records.update(deal, {"probability": 10}, deal.version)

    logged = runs(app, record_id=deal_id)
    assert sorted(run.depth for run in logged) == [1, 2, 3, 4, 5, 6]
    stopped = [run for run in logged if run.result == "skipped"]
    assert [run.depth for run in stopped] == [6]
    assert "the limit is 5" in stopped[0].message
    assert all(run.result == "ok" for run in logged if run.depth <= 5)
    assert deal_row(app, deal_id).probability in (10, 20)


def test_the_stop_is_on_the_records_timeline(app, admin_id, sales):
    person(app, "dana@example.com")
    ping_pong(app)
    deal_id = new_deal(app, "dana@example.com", sales)
    with acting_as(app, "dana@example.com") as records:
        deal = records.get(deal_id)
        records.update(deal, {"probability": 10}, deal.version)

    page = client_as(app, "dana@example.com").get(f"/timeline/deal/{deal_id}").get_data(as_text=True)

    assert "Rule «From 10 to 20» stopped" in page or "Rule «From 20 to 10» stopped" in page
    assert "the limit is 5" in page
