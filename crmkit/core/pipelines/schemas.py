"""What people and programs may set on a deal; forms, the API and imports all read this schema.

Pipelines, stages and loss reasons are admin-kept configuration rather than entities, so their
fields are selects whose choices are read when a form or a validation asks (``LiveChoice``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from flask import current_app, has_request_context
from flask_login import current_user
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates, validates_schema
from sqlalchemy import select

from crmkit import db
from crmkit.core.contacts.schemas import SOURCE_LABELS, SOURCES  # a deal's sources are a contact's
from crmkit.core.pipelines import documented, names
from crmkit.core.pipelines.models import CURRENCIES
from crmkit.core.records import links
from crmkit.db import MAX_ID
from crmkit.entities.fields import text_numbers, whole_number
from crmkit.entities.service import Records
from crmkit.i18n import lazy_gettext as _l

MONEY_LIMIT = validate.Range(min=0, max=documented.MONEY_MAX)


class LiveChoice(validate.OneOf):
    """One of the ids ``ids()`` gives when asked, labelled by ``name_of``: forms show a select of
    them (crmkit.entities.forms reads ``choices`` of a OneOf) and validation refuses other ids."""

    def __init__(self, ids: Callable[[], Iterable[int]], error: Any):
        self.ids = ids
        self.error = error
        self.labels = ()

    @property
    def choices(self) -> list[int]:
        return list(self.ids())

    @property
    def choices_text(self) -> str:
        return ""

    def __call__(self, value: Any) -> Any:
        if value not in self.choices:
            raise ValidationError(str(self.error))
        return value


def pipeline_ids() -> list[int]:
    """Every pipeline, those in use first in their order: a deal of an archived pipeline keeps it
    (its form shows it), while new deals and moves into one are refused by the workflow check."""
    found = sorted(names.pipelines().values(), key=lambda p: (p.archived_at is not None, p.position, p.id))
    return [p.id for p in found]


def pipeline_label(pipeline_id: Any) -> str:
    pipeline = names.pipelines().get(pipeline_id)
    if pipeline is not None and pipeline.archived_at is not None:
        return str(_l("%(name)s (archived)", name=names.shown(pipeline.names)))
    return names.pipeline_name(pipeline_id)


def all_stage_ids() -> list[int]:
    return list(names.stages())


def loss_reason_ids() -> list[int]:
    reasons = sorted(names.loss_reasons().values(), key=lambda r: (r.position, r.id))
    return [r.id for r in reasons]


def stage_label(stage_id: Any) -> str:
    stage = names.stages().get(stage_id)
    if stage is None:
        return f"#{stage_id}"
    return f"{names.pipeline_name(stage.pipeline_id)}: {names.shown(stage.names)}"


class Money(fields.Decimal):
    """An amount: a number or a decimal text with at most two places (tiyn, kopecks), never
    rounded to fit, from 0 to MONEY_MAX; ``openapi`` says so in the document, so the range is
    always checked, not only where a schema remembers to add it."""

    openapi = documented.money()
    default_error_messages = {"places": _l("Give an amount with at most two decimal places.")}

    def __init__(self, **kwargs):
        given = kwargs.pop("validate", None)
        given = [] if given is None else list(given) if isinstance(given, (list, tuple)) else [given]
        super().__init__(places=2, validate=[MONEY_LIMIT, *[v for v in given if v is not MONEY_LIMIT]], **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and not re.fullmatch(documented.MONEY_TEXT, value):
            raise self.make_error("places" if re.fullmatch(r"[0-9]+\.[0-9]{3,}", value) else "invalid")
        if isinstance(value, float) and math.isfinite(value) and Decimal(repr(value)).as_tuple().exponent < -2:
            raise self.make_error("places")
        return super()._deserialize(value, attr, data, **kwargs)


class IdList(fields.Field):
    """Record ids as a list (the API; JSON's numbers only) or typed on a form as numbers
    separated by commas; ``target``: the entity they name, for the document."""

    default_error_messages = {"invalid": _l("Give record numbers separated by commas.")}

    def __init__(self, target: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.openapi = documented.id_list(target)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and text_numbers():
            if not re.fullmatch(r"[\[\]\s,0-9]*", value):
                raise self.make_error("invalid")
            value = re.findall(r"\d+", value)
        if not isinstance(value, (list, tuple)):
            raise self.make_error("invalid")
        try:
            ids = [whole_number(v) for v in value]
        except ValidationError:
            raise self.make_error("invalid") from None
        if any(i is None or not 0 < i <= MAX_ID for i in ids):
            raise self.make_error("invalid")
        return sorted(set(ids))

    def _serialize(self, value, attr, obj, **kwargs):
        return list(value) if value is not None else []


def visible_competitors(ids: Iterable[int]) -> set[int]:
    """Which of ``ids`` are organisations marked as competitors that the acting user sees (every
    competitor when no one is logged in: jobs and commands act for the system)."""
    entities = current_app.extensions["crmkit"].entities
    if "organization" not in entities or not ids:
        return set()
    organization = entities.get("organization")
    model = organization.model
    statement = select(model)
    if has_request_context() and getattr(current_user, "is_authenticated", False):
        records = Records(organization, current_user)
        if not records.can("view"):
            return set()
        statement = records.select(include_archived=True)
    statement = statement.with_only_columns(model.id).where(model.id.in_(list(ids)), model.is_competitor.is_(True))
    return set(db.session().execute(statement).scalars())


def competitor_names(ids: list[int]) -> str:
    """The competitors as pages show them: by name when the user sees them, else by number."""
    shown = links.titles("organization", set(ids))
    return ", ".join(shown.get(i, f"#{i}") for i in ids)


class DealSchema(Schema):
    openapi = staticmethod(documented.deal_rules)  # the rules across fields, for the OpenAPI document
    title = fields.String(required=True, validate=validate.Length(min=1, max=200), metadata={"label": _l("Title")})
    pipeline_id = fields.Integer(
        required=True, strict=False,
        validate=LiveChoice(pipeline_ids, _l("No such pipeline.")),
        metadata={"label": _l("Pipeline"), "choices_labels": names.Labels(pipeline_label), "display": names.pipeline_name},
    )
    stage_id = fields.Integer(
        allow_none=True, strict=False,
        validate=LiveChoice(all_stage_ids, _l("No such stage.")),
        metadata={"label": _l("Stage"), "choices_labels": names.Labels(stage_label), "display": names.stage_name,
                  "help": _l("Left empty, a new deal starts in the pipeline's first stage.")},
    )
    organization_id = fields.Integer(allow_none=True, strict=False, metadata={"label": _l("Organisation"), "link": "organization"})
    amount = Money(
        allow_none=True, validate=MONEY_LIMIT,
        metadata={"label": _l("Amount"), "help": _l("Computed from the line items when the deal has any.")},
    )
    currency = fields.String(
        load_default="KZT", validate=validate.OneOf(CURRENCIES),
        metadata={"label": _l("Currency"), "choices_labels": {c: c for c in CURRENCIES}},
    )
    probability = fields.Integer(
        allow_none=True, strict=False, validate=validate.Range(min=0, max=100),
        metadata={"label": _l("Probability"), "help": _l("Per cent; left empty, the stage's probability applies.")},
    )
    expected_close_on = fields.Date(allow_none=True, metadata={"label": _l("Expected close")})
    source = fields.String(
        allow_none=True, validate=validate.OneOf(SOURCES), metadata={"label": _l("Source"), "choices_labels": SOURCE_LABELS}
    )
    loss_reason_id = fields.Integer(
        allow_none=True, strict=False,
        validate=LiveChoice(loss_reason_ids, _l("No such loss reason.")),
        metadata={"label": _l("Loss reason"), "choices_labels": names.Labels(names.loss_reason_name), "display": names.loss_reason_name},
    )
    loss_note = fields.String(allow_none=True, validate=validate.Length(max=5000), metadata={"label": _l("Why it was lost"), "multiline": True})
    competitor_ids = IdList(
        "organization", allow_none=True,
        metadata={"label": _l("Competitors who won"), "display": competitor_names,
                  "help": _l("Numbers of organisations marked as competitors, separated by commas.")},
    )
    description = fields.String(allow_none=True, validate=validate.Length(max=20000), metadata={"label": _l("Description"), "multiline": True})
    stage_entered_at = fields.DateTime(dump_only=True, metadata={"label": _l("In this stage since")})
    closed_at = fields.DateTime(dump_only=True, metadata={"label": _l("Closed")})
    won_amount = fields.Decimal(dump_only=True, places=2, metadata={"label": _l("Final amount")})

    @validates("competitor_ids")
    def check_competitors(self, value, **_kwargs):
        if value and set(value) - visible_competitors(value):
            raise ValidationError(str(_l("Choose organisations marked as competitors.")))

    @validates_schema
    def check_stage_in_pipeline(self, data, **_kwargs):
        stage = names.stages().get(data.get("stage_id"))
        if stage is not None and "pipeline_id" in data and stage.pipeline_id != data["pipeline_id"]:
            raise ValidationError(str(_l("This stage is not in the deal's pipeline.")), "stage_id")

    @post_load
    def first_stage(self, values, partial=None, **_kwargs):
        """A deal given no stage (a new one without it, or a change naming it empty: an import's
        blank cell) starts in its pipeline's first open stage; competitors given as null (an empty
        form field) are left as they are ([] clears them)."""
        if values.get("competitor_ids", []) is None:
            del values["competitor_ids"]
        no_stage = "stage_id" in values if partial else True  # a partial change names it empty
        if no_stage and values.get("stage_id") is None and values.get("pipeline_id") is not None:
            values["stage_id"] = first_open_stage(values["pipeline_id"])
            if values["stage_id"] is None:
                raise ValidationError(str(_l("The pipeline has no open stage to start in.")), "stage_id")
        return values


def first_open_stage(pipeline_id: int) -> int | None:
    candidates = [s for s in names.stages().values()
                  if s.pipeline_id == pipeline_id and s.kind == "open" and s.archived_at is None]
    return min(candidates, key=lambda s: (s.position, s.id)).id if candidates else None

