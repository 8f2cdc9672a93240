"""Equipment loans: what was lent to whom, until when, and whether it came back."""

from datetime import date

from marshmallow import Schema, fields, validate
from sqlmodel import Field

from crmkit import api

_l = api.Messages(__name__).lazy_gettext  # the plugin's own catalog, in translations/


class Loan(api.Record, table=True):
    __tablename__ = "loans_loan"

    item: str = Field(max_length=200)
    person_id: int | None = Field(default=None, foreign_key="contacts_person.id", index=True)
    due_on: date | None = Field(default=None, index=True)
    status: str = Field(default="lent", max_length=20, index=True)
    note: str | None = Field(default=None, max_length=1000)


STATES = (api.State("lent", _l("Lent")), api.State("returned", _l("Returned"), kind="won"),
          api.State("lost", _l("Lost"), kind="lost", requires=("note",)))
WORKFLOW = api.Workflow("status", STATES, {None: ["lent"], "lent": ["returned", "lost"], "returned": ["lent"]})
LABELS = {state.key: state.label for state in STATES}


class LoanSchema(Schema):
    item = fields.String(required=True, validate=validate.Length(min=1, max=200), metadata={"label": _l("Item")})
    person_id = fields.Integer(allow_none=True, metadata={"label": _l("Lent to"), "link": "person"})
    due_on = fields.Date(allow_none=True, metadata={"label": _l("Due"), "help": _l("When it should be back.")})
    status = fields.String(validate=validate.OneOf(LABELS), metadata={"label": _l("Status"), "choices_labels": LABELS})
    note = fields.String(allow_none=True, validate=validate.Length(max=1000), metadata={"label": _l("Note")})


@api.hookimpl
def register_models():
    return [Loan]


@api.hookimpl
def register_entities():
    return [api.EntityType(
        "loan", Loan, LoanSchema, _l("Loan"), _l("Loans"), list_columns=("item", "person_id", "due_on", "status"),
        filters=("status", "person_id"), sort_keys=("due_on",), search_fields=("item",), title_field="item",
        workflow=WORKFLOW,
    )]


@api.hookimpl
def entity_panels(entity, record, user):
    if entity.key != "person" or not api.can(user, "loans.loan.view"):
        return []
    loans = api.Records("loans.loan", user).list(Loan.person_id == record.id, Loan.status == "lent")
    context = {"loans": [(loan.item, api.detail_url("loans.loan", loan)) for loan in loans],
               "new": api.new_url("loans.loan", person_id=record.id)}
    return [api.Panel(_l("On loan"), "loans/panel.html", context)]
