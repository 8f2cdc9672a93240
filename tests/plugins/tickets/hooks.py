"""Tickets that move through a declared workflow: allowed moves, a resolution required to enter
"resolved" or "rejected", and a veto of this plugin's own (a blocked ticket can't be closed)."""

from marshmallow import Schema, fields, validate
from sqlmodel import Field

from crmkit import EntityType, Record, State, Workflow, hookimpl
from crmkit.plugin_i18n import Messages

_ = Messages(__name__).gettext

STATES = (
    State("new", "New"),
    State("in_progress", "In progress"),
    State("waiting", "Waiting", archived=True),
    State("resolved", "Resolved", kind="won", requires=("resolution",)),
    State("rejected", "Rejected", kind="lost", requires=("resolution",)),
    State("closed", "Closed", kind="closed"),
)
WORKFLOW = Workflow(
    field="status",
    states=STATES,
    transitions={
        None: ["new", "in_progress"],
        "new": ["in_progress", "rejected"],
        "in_progress": ["new", "waiting", "resolved", "rejected"],
        "waiting": ["in_progress"],
        "resolved": ["in_progress", "closed"],
        "rejected": ["closed"],
        "closed": [],
    },
)


class Ticket(Record, table=True):
    __tablename__ = "tickets_ticket"

    title: str = Field(max_length=200)
    status: str = Field(default="new", max_length=20, index=True)
    resolution: str | None = Field(default=None, max_length=500)
    blocked: bool = False


class TicketSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200), metadata={"label": "Title"})
    status = fields.String(
        load_default="new",
        validate=validate.OneOf([state.key for state in STATES]),
        metadata={"label": "Status", "choices_labels": {state.key: state.label for state in STATES}},
    )
    resolution = fields.String(allow_none=True, validate=validate.Length(max=500), metadata={"label": "Resolution"})
    blocked = fields.Boolean(load_default=False, metadata={"label": "Blocked"})


@hookimpl
def register_models():
    return [Ticket]


@hookimpl
def register_entities():
    return [
        EntityType(
            name="ticket",
            model=Ticket,
            schema=TicketSchema,
            label="Ticket",
            label_plural="Tickets",
            list_columns=("title", "status"),
            title_field="title",
            dedup_keys=("title",),
            workflow=WORKFLOW,
        )
    ]


@hookimpl
def workflow_transition_check(entity, record, source, target, values, user):
    blocked = values.get("blocked", record is not None and record.blocked)
    if entity.key == "tickets.ticket" and target.kind == "closed" and blocked:
        return _("A blocked ticket cannot be closed.")
    return None
