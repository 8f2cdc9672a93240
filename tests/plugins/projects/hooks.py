from datetime import date
from decimal import Decimal

from marshmallow import Schema, fields, validate
from sqlmodel import Field

from crmkit import EntityType, Record, hookimpl

STATUSES = ("planned", "active", "done")


class Project(Record, table=True):
    __tablename__ = "projects_project"

    name: str = Field(max_length=200, index=True)
    status: str = Field(default="planned", max_length=20, index=True)
    budget: Decimal | None = Field(default=None, max_digits=14, decimal_places=2)
    due: date | None = Field(default=None, index=True)
    contact_email: str | None = Field(default=None, max_length=254, index=True)
    urgent: bool = False


class ProjectSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200), metadata={"label": "Name"})
    status = fields.String(load_default="planned", validate=validate.OneOf(STATUSES), metadata={"label": "Status"})
    budget = fields.Decimal(allow_none=True, places=2, validate=validate.Range(min=0), metadata={"label": "Budget"})
    due = fields.Date(allow_none=True, metadata={"label": "Due"})
    contact_email = fields.Email(allow_none=True, metadata={"label": "Contact email"})
    urgent = fields.Boolean(load_default=False, metadata={"label": "Urgent"})


@hookimpl
def register_models():
    return [Project]


@hookimpl
def register_entities():
    return [
        EntityType(
            name="project",
            model=Project,
            schema=ProjectSchema,
            label="Project",
            label_plural="Projects",
            list_columns=("name", "status", "budget", "due"),
            filters=("status", "urgent", "due", "name"),
            sort_keys=("name", "due", "budget"),
            search_fields=("name", "contact_email"),
            dedup_keys=("contact_email",),
        )
    ]
