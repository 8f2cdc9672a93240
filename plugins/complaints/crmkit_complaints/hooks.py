"""Complaints (рекламации): a customer's claim investigated to its root cause, corrected, costed
and closed with a resolution; those past their deadline are marked overdue. Written against
crmkit.api alone, as any third-party plugin would be."""

from datetime import date
from decimal import Decimal

from marshmallow import Schema, fields, validate
from sqlalchemy import and_, case, or_, update
from sqlmodel import Field

from crmkit import api

messages = api.Messages(__name__)
_l = messages.lazy_gettext
KEY = "complaints.complaint"

STATES = (
    api.State("new", _l("New")),  # "Новая" here; the core's "New" button stays "Создать"
    api.State("investigating", _l("In investigation")),
    api.State("awaiting_action", _l("Awaiting corrective action"), requires=("root_cause", "corrective_action")),
    api.State("resolved", _l("Resolved"), kind="closed", requires=("resolution",)),
    api.State("rejected", _l("Rejected"), kind="closed", requires=("resolution",)),
)
WORKFLOW = api.Workflow("status", STATES, {
    None: ["new"],
    "new": ["investigating", "rejected"],
    "investigating": ["awaiting_action", "resolved", "rejected"],
    "awaiting_action": ["investigating", "resolved"],
    "resolved": ["investigating"],
    "rejected": ["new"],
})
OPEN = [state.key for state in STATES if state.kind == "open"]
ABOUT = {"organization": "organization_id", "person": "person_id", "deal": "deal_id"}  # pages showing their complaints
CAUSES = {
    "product": _l("Product defect"),
    "delivery": _l("Delivery"),
    "service": _l("Service or staff"),
    "documents": _l("Documents or billing"),
    "misuse": _l("Misuse by the customer"),
    "other": _l("Another cause"),
}


class Complaint(api.Record, table=True):
    __tablename__ = "complaints_complaint"

    title: str = Field(max_length=200)
    status: str = Field(default="new", max_length=20, index=True)
    received_on: date = Field(default_factory=date.today, index=True)
    deadline: date | None = Field(default=None, index=True)
    organization_id: int | None = Field(default=None, foreign_key="contacts_organization.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="contacts_person.id", index=True)
    deal_id: int | None = Field(default=None, foreign_key="pipelines_deal.id", index=True)
    responsible_id: int | None = Field(default=None, foreign_key="core_user.id", index=True)
    description: str | None = Field(default=None, max_length=5000)
    root_cause: str | None = Field(default=None, max_length=20, index=True)
    corrective_action: str | None = Field(default=None, max_length=5000)
    cost: Decimal | None = Field(default=None, max_digits=14, decimal_places=2)
    resolution: str | None = Field(default=None, max_length=5000)
    overdue: bool = Field(default=False, index=True)


def text(label):
    return fields.String(allow_none=True, validate=validate.Length(max=5000),
                         metadata={"label": label, "multiline": True})


def link(label, target):
    return fields.Integer(allow_none=True, metadata={"label": label, "link": target})


class ComplaintSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200), metadata={"label": _l("Subject")})
    status = fields.String(validate=validate.OneOf([s.key for s in STATES]),
                           metadata={"label": _l("Status"), "choices_labels": {s.key: s.label for s in STATES}})
    received_on = fields.Date(allow_none=True, metadata={"label": _l("Received")})
    deadline = fields.Date(allow_none=True,
                           metadata={"label": _l("Deadline"), "help": _l("When the customer must have an answer.")})
    organization_id = link(_l("Customer"), "organization")
    person_id = link(_l("Contact person"), "person")
    deal_id = link(_l("Deal"), "deal")
    responsible_id = link(_l("Responsible"), "user")
    description = text(_l("What the customer says"))
    root_cause = fields.String(allow_none=True, validate=validate.OneOf(list(CAUSES)),
                               metadata={"label": _l("Root cause"), "choices_labels": CAUSES})
    corrective_action = text(_l("Corrective action"))
    cost = api.Money(allow_none=True, validate=validate.Range(min=0), metadata={"label": _l("Cost, KZT")})
    resolution = text(_l("Resolution"))
    overdue = fields.Boolean(dump_only=True, metadata={"label": _l("Overdue")})


def late(deadline, status, today):
    return deadline is not None and deadline < today and status in OPEN


def mark_overdue(*where):
    """Recompute ``overdue`` for the complaints ``where`` selects, in one UPDATE of those that change:
    the flagged ones and the late ones, which the indexes on overdue and deadline find."""
    table = Complaint.__table__
    is_late = and_(table.c.deadline < api.today(), table.c.status.in_(OPEN))
    now_late = case((is_late, True), else_=False)
    changing = and_(or_(table.c.overdue.is_(True), is_late), table.c.overdue != now_late)
    api.session().execute(update(table).where(*where, changing).values(overdue=now_late))


def mark_overdue_hourly():
    mark_overdue()
    api.session().commit()


@api.hookimpl
def register_models():
    return [Complaint]


@api.hookimpl
def register_entities():
    return [api.EntityType(
        "complaint", Complaint, ComplaintSchema, _l("Complaint"), _l("Complaints"),
        list_columns=("title", "status", "organization_id", "responsible_id", "deadline", "overdue", "cost"),
        filters=("status", "overdue", "root_cause", "responsible_id", "organization_id", "deal_id"),
        sort_keys=("deadline", "received_on"), search_fields=("title",), title_field="title",
        nav_order=40, workflow=WORKFLOW,
    )]


@api.hookimpl
def entity_event(event, entity, record, changes, user):
    if entity.key == KEY and event in ("before_create", "before_update"):
        record.received_on = record.received_on or api.today(user)
        record.overdue = late(record.deadline, record.status, api.today())


@api.hookimpl
def entity_panels(entity, record, user):
    """A customer's, contact's or deal's latest complaints, and a form to register one about it."""
    field = ABOUT.get(entity.key)
    if field is None or not api.can(user, f"{KEY}.view"):
        return []
    about = {field: record.id}
    found = api.Records(KEY, user).list(getattr(Complaint, field) == record.id, order_by=Complaint.id.desc(), limit=10)
    context = {
        "rows": [(complaint, api.detail_url(KEY, complaint)) for complaint in found],
        "statuses": {state.key: state.label for state in STATES},
        "all": api.list_url(KEY, **about),
        "new": api.new_url(KEY, **about) if api.can(user, f"{KEY}.create") else None,
    }
    return [api.Panel(_l("Complaints"), "complaints/panel.html", context, order=60)]


@api.hookimpl
def entity_list_actions(entity, user, args):
    if entity.key == KEY and args.get("overdue") != "true":
        return [api.Action(_l("Overdue only"), api.list_url(entity, **{**args, "overdue": "true"}))]
    return []


@api.hookimpl
def records_imported(entity, created_ids, updated_ids, user):
    if entity.key == KEY:
        mark_overdue(Complaint.__table__.c.id.in_([*created_ids, *updated_ids]))


@api.hookimpl
def register_jobs():
    return [api.PeriodicJob(mark_overdue_hourly, api.crontab(minute="7"))]
