"""The states a lead moves through, from arrival to a deal or a rejection (docs/leads.md, Triage)."""

from __future__ import annotations

from crmkit import State, Workflow
from crmkit.i18n import lazy_gettext as _l

STATES = (
    State("new", _l("New")),
    State("accepted", _l("Accepted")),
    State("assigned", _l("Assigned")),
    State("in_work", _l("In work")),
    State("reprocessing", _l("Re-processing")),
    State("converted", _l("Converted"), kind="won"),
    State("rejected", _l("Rejected"), kind="lost", requires=("rejection_reason",)),
)
TRANSITIONS = {
    None: ["new"],
    "new": ["accepted", "assigned", "rejected"],
    "accepted": ["assigned", "rejected"],
    "assigned": ["in_work", "converted", "rejected", "reprocessing"],
    "in_work": ["converted", "rejected", "reprocessing"],
    "rejected": ["reprocessing"],
    "reprocessing": ["assigned", "in_work", "rejected"],
    "converted": ["reprocessing"],  # its deal was lost: quality control looks at it again
}
WORKFLOW = Workflow("status", STATES, TRANSITIONS)
OPEN = tuple(state.key for state in STATES if state.kind == "open")
LABELS = {state.key: state.label for state in STATES}
