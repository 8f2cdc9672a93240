"""Equipment loans: what was lent to whom, until when, and whether it came back."""

from datetime import date

from marshmallow import Schema, fields, validate
from sqlmodel import Field

from crmkit import api


class Loan(api.Record, table=True):
    __tablename__ = "loans_loan"

    item: str = Field(max_length=200)
    person_id: int | None = Field(default=None, foreign_key="contacts_person.id", index=True)
    due_on: date | None = Field(default=None, index=True)
    status: str = Field(default="lent", max_length=20, index=True)
    note: str | None = Field(default=None, max_length=1000)


STATES = (
    api.State("lent", "Lent"),
    api.State("returned", "Returned", kind="won"),
    api.State("lost", "Lost", kind="lost", requires=("note",)),
)
WORKFLOW = api.Workflow("status", STATES, {None: ["lent"], "lent": ["returned", "lost"], "returned": ["lent"]})


class LoanSchema(Schema):
    item = fields.String(required=True, validate=validate.Length(min=1, max=200), metadata={"label": "Item"})
    person_id = fields.Integer(allow_none=True, metadata={"label": "Lent to", "link": "person"})
    due_on = fields.Date(allow_none=True, metadata={"label": "Due", "help": "When it should be back."})
    status = fields.String(metadata={"label": "Status", "choices_labels": {s.key: s.label for s in STATES}})
    note = fields.String(allow_none=True, validate=validate.Length(max=1000), metadata={"label": "Note"})


@api.hookimpl
def register_models():
    return [Loan]


@api.hookimpl
def register_entities():
    return [api.EntityType(
        "loan", Loan, LoanSchema, "Loan", "Loans", list_columns=("item", "person_id", "due_on", "status"),
        filters=("status", "person_id"), sort_keys=("due_on",), search_fields=("item",), title_field="item",
        workflow=WORKFLOW,
    )]


@api.hookimpl
def entity_panels(entity, record, user):
    if entity.key != "person" or not api.can(user, "loans.loan.view"):
        return []
    loans = api.Records("loans.loan", user).list(Loan.person_id == record.id, Loan.status == "lent")
    links = [(loan.item, api.detail_url("loans.loan", loan)) for loan in loans]
    return [api.Panel("On loan", "loans/panel.html", {"loans": links, "new": api.new_url("loans.loan", person_id=record.id)})]
