"""What people and programs may set on a lead; forms, the API and imports all read this schema.

The payload a lead arrived with (``raw``) and the keys derived from its phones and emails are
never written through it: channels store them through ``crmkit.core.leads.intake.receive``.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from crmkit.core.lead_routing.column import ResponseColumn
from crmkit.core.leads import channels, sources
from crmkit.core.leads.models import REJECTION_REASONS, REPROCESS_REASONS
from crmkit.core.leads.workflow import LABELS, STATES
from crmkit.core.pipelines.names import Labels
from crmkit.core.pipelines.schemas import LiveChoice
from crmkit.entities.fields import LocalDateTime
from crmkit.i18n import lazy_gettext as _l


def text(label, length, multiline=False, **metadata):
    return fields.String(allow_none=True, validate=validate.Length(max=length),
                         metadata={"label": label, "multiline": multiline, **metadata})


def link(label, target):
    return fields.Integer(allow_none=True, strict=False, metadata={"label": label, "link": target})


class LeadSchema(Schema):
    computed_columns = {"response": ResponseColumn()}  # overdue or due by, from lead routing (column.py)

    name = text(_l("Name"), 200)
    organization_name = text(_l("Organisation name"), 200)
    phones = text(_l("Phones"), 200, help=_l("As typed; several separated by commas."), phone=True)
    emails = text(_l("Emails"), 320, help=_l("As typed; several separated by commas."))
    request = text(_l("Request"), 5000, multiline=True)
    channel = fields.String(
        load_default="manual", validate=validate.Length(min=1, max=30),
        metadata={"label": _l("Channel"), "choices_labels": channels.Labels(), "display": channels.channel_label},
    )
    source_id = fields.Integer(
        allow_none=True, strict=False,
        validate=LiveChoice(sources.source_ids, _l("No such source.")),
        metadata={"label": _l("Source"), "choices_labels": Labels(sources.source_name), "display": sources.source_name},
    )
    status = fields.String(validate=validate.OneOf([s.key for s in STATES]),
                           metadata={"label": _l("Status"), "choices_labels": LABELS})
    received_at = LocalDateTime(allow_none=True, metadata={"label": _l("Received")})
    rejection_reason = fields.String(allow_none=True, validate=validate.OneOf(list(REJECTION_REASONS)),
                                     metadata={"label": _l("Rejection reason"), "choices_labels": REJECTION_REASONS})
    rejection_note = text(_l("Rejection note"), 2000, multiline=True)
    reprocess_reason = fields.String(allow_none=True, validate=validate.OneOf(list(REPROCESS_REASONS)),
                                     metadata={"label": _l("Re-processing reason"), "choices_labels": REPROCESS_REASONS})
    reprocess_note = text(_l("Re-processing note"), 2000, multiline=True)
    person_id = link(_l("Person"), "person")
    organization_id = link(_l("Organisation"), "organization")
    deal_id = link(_l("Deal"), "deal")
    duplicate_of_id = link(_l("Duplicate of"), "lead")
    utm_source = text("utm_source", 200)
    utm_medium = text("utm_medium", 200)
    utm_campaign = text("utm_campaign", 200)
    utm_content = text("utm_content", 200)
    utm_term = text("utm_term", 200)
    referrer = text(_l("Referrer"), 2000)
    landing_page = text(_l("Landing page"), 2000)
    external_id = fields.String(dump_only=True, metadata={"label": _l("Sender's id")})
    response_due_at = fields.DateTime(dump_only=True, metadata={"label": _l("Response due")})
    first_response_at = fields.DateTime(dump_only=True, metadata={"label": _l("First response")})
    assigned_at = fields.DateTime(dump_only=True, metadata={"label": _l("Assigned")})
    last_action_at = fields.DateTime(dump_only=True, metadata={"label": _l("Last action")})
