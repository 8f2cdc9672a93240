"""Complaints with a responsible user and a reviewer, a count the plugin keeps itself (read-only
in the schema) and one it keeps in an extension group: the field types a vertical needs."""
from marshmallow import Schema, fields, validate
from sqlmodel import Field

from crmkit import EntityExtension, EntityType, Record, hookimpl

KINDS = ("billing", "service")


class Complaint(Record, table=True):
    __tablename__ = "casework_complaint"

    name: str = Field(max_length=200, index=True)
    kind: str | None = Field(default=None, max_length=20)
    responsible_id: int | None = Field(default=None, foreign_key="core_user.id", index=True)
    edits: int = 0  # kept by entity_event below; read-only in the schema


class ComplaintSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200), metadata={"label": "Subject"})
    kind = fields.String(allow_none=True, validate=validate.OneOf(KINDS), metadata={"label": "Kind"})
    responsible_id = fields.Integer(allow_none=True, metadata={"label": "Responsible", "link": "user"})
    edits = fields.Integer(dump_only=True, metadata={"label": "Edits"})


class ReviewFields(Schema):
    """Light fields on a project: who reviews it, and how often it was reviewed (computed)."""

    reviewer_id = fields.Integer(allow_none=True, metadata={"label": "Reviewer", "link": "user"})
    reviews = fields.Integer(dump_only=True, metadata={"label": "Reviews"})


@hookimpl
def register_models():
    return [Complaint]


@hookimpl
def register_entities():
    return [
        EntityType(
            name="complaint", model=Complaint, schema=ComplaintSchema, label="Complaint", label_plural="Complaints",
            list_columns=("name", "responsible_id", "edits"), filters=("responsible_id", "kind"),
            sort_keys=("responsible_id", "name"), search_fields=("name",),
        )
    ]


@hookimpl
def entity_extensions():
    return [EntityExtension("projects.project", ReviewFields, label="Review")]


@hookimpl
def entity_event(event, entity, record, changes, user):
    """The counts: a complaint's edits, a project's changes of reviewer."""
    if event == "before_update" and entity.key == "casework.complaint":
        record.edits = (record.edits or 0) + 1
    if event == "before_update" and entity.key == "projects.project" and "casework.reviewer_id" in changes:
        group = dict((record.extra or {}).get("casework") or {})
        group["reviews"] = (group.get("reviews") or 0) + 1
        record.extra = {**(record.extra or {}), "casework": group}
