"""What the OpenAPI document says a deal accepts, read from the same rules the server runs.

Money (``Money``) is a JSON number or a decimal text with at most two places; a list of record
numbers (``IdList``) is an array of ids, competitors' being organisations (``x-crmkit-link``).
Across fields (``deal_rules``, DealSchema's ``openapi``, read when the document is built): the
stage is a live stage of the deal's pipeline, or empty for its first open stage; a lost stage
needs a live loss reason. Which stage a deal may move to from the one it is in depends on the
stored deal, which no schema can say: the server refuses a move its workflow forbids with 422.
"""

from __future__ import annotations

from typing import Any

from crmkit.core.pipelines import names
from crmkit.db import MAX_ID

# A non-negative amount up to MONEY_MAX with at most two places, as text.
MONEY_MAX = 10**15
MONEY_TEXT = "(?:[0-9]{1,15}(?:\\.[0-9]{1,2})?|1000000000000000(?:\\.00?)?)"


def money() -> dict[str, Any]:
    return {
        "anyOf": [
            {"type": "number", "minimum": 0, "maximum": MONEY_MAX, "multipleOf": 0.01},
            {"type": "string", "pattern": f"^{MONEY_TEXT}$"},
        ],
        "x-crmkit-format": "money",
        "description": f"A number or a decimal text (12500.50) from 0 to {MONEY_MAX}, at most two decimal places; "
                       "never rounded.",
    }


def id_list(target: str | None) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "type": "array",
        "items": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        "description": "Record numbers; repeats count once.",
    }
    if target:
        rule["x-crmkit-link"] = target
    return rule


def deal_rules(partial: bool) -> dict[str, Any]:
    """DealSchema's ``openapi``: one alternative per live pipeline, its stages and loss reasons
    (a change need not name the pipeline: its stage is then one of the deal's pipeline's)."""
    reasons = [r.id for r in sorted(names.loss_reasons().values(), key=lambda r: (r.position, r.id))
               if r.archived_at is None]
    choices = []
    for pipeline in sorted(names.pipelines().values(), key=lambda p: (p.position, p.id)):
        if pipeline.archived_at is not None:
            continue
        stages = sorted((s for s in names.stages().values() if s.pipeline_id == pipeline.id and s.archived_at is None),
                        key=lambda s: (s.position, s.id))
        kept = [s.id for s in stages if s.kind != "lost"] + ([None] if any(s.kind == "open" for s in stages) else [])
        if kept:
            choices.append({"required": [] if None in kept or partial else ["stage_id"],
                            "properties": {"pipeline_id": {"enum": [pipeline.id]}, "stage_id": {"enum": kept}}})
        lost = [s.id for s in stages if s.kind == "lost"]
        if lost and reasons:
            choices.append({"required": ["stage_id", "loss_reason_id"],
                            "properties": {"pipeline_id": {"enum": [pipeline.id]}, "stage_id": {"enum": lost},
                                           "loss_reason_id": {"type": "integer", "enum": reasons}}})
    for choice in choices:
        if not choice["required"]:
            del choice["required"]
    rule = {"anyOf": choices} if choices else {"not": {}}
    rule["description"] = (
        "stage_id is a live stage of the deal's pipeline (empty: its first open stage); a lost stage needs "
        "loss_reason_id, a live loss reason; a change of pipeline names a stage of the new one. A move the "
        "pipeline's workflow forbids from the deal's current stage is refused with 422, naming the stages allowed."
    )
    return {"allOf": [rule]}
