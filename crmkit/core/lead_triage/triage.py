"""The unsorted queue's actions on a new lead: accept, reject with a reason, mark as a duplicate
of a person, an organisation or another lead, link to an existing deal; one lead or several.

Each action is one transaction through the records service (see moves.py) and needs
``leads.triage`` beside the right to edit leads. Accepting moves the lead to "accepted", where the
assignment rules take it (they listen for that move). A rejection sends the lead on to quality
control at once, unless its reason is one the admins set to skip it (spam by default): a spam
rejection is only a rejection, and teaches the web form's honeypot nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from crmkit import db as database
from crmkit.core.lead_triage import control, moves
from crmkit.core.lead_triage.models import Conversion, DealOrigin
from crmkit.core.leads.models import REJECTION_REASONS
from crmkit.core.pipelines.models import DealPerson
from crmkit.entities.errors import Conflict, Forbidden, Invalid, NotFound, RecordError
from crmkit.i18n import gettext as _

PERMISSION = "leads.triage"
DUPLICATE_TARGETS = {"person": "person_id", "organization": "organization_id", "lead": "duplicate_of_id"}
BULK_LIMIT = 200  # leads one bulk action takes; the queue's page is smaller


class Triage:
    """Triage actions of one user, each saved whole or not at all."""

    def __init__(self, user: Any):
        self.user = user
        self.session = database.session()
        self.leads = moves.records(moves.LEAD, user, self.session)

    def allowed(self) -> bool:
        return self.leads.access.can(PERMISSION) and self.leads.can("edit")

    def require(self) -> None:
        if not self.allowed():
            raise Forbidden(PERMISSION)

    def lead(self, lead_id: int) -> Any:
        self.require()
        return self.leads.get(lead_id)

    def run(self, action, *args: Any) -> Any:
        """Run ``action`` in one transaction: committed when it returns, rolled back if it raises."""
        try:
            result = action(*args)
        except BaseException:
            self.session.rollback()
            raise
        self.session.commit()
        return result

    # one lead
    def accept(self, lead: Any, version: int | None) -> Any:
        return self.run(self._accept, lead, version)

    def _accept(self, lead: Any, version: int | None) -> Any:
        return self.leads.update(lead, {"status": "accepted"}, version)

    def reject(self, lead: Any, reason: str, note: str | None, version: int | None) -> Any:
        return self.run(self._reject, lead, reason, note, version, {})

    def _reject(self, lead: Any, reason: str, note: str | None, version: int | None, links: dict[str, int]) -> Any:
        if reason not in REJECTION_REASONS:
            raise Invalid({"rejection_reason": [_("Choose a reason from the list.")]})
        data = {"status": "rejected", "rejection_reason": reason, "rejection_note": (note or "").strip() or None, **links}
        lead = self.leads.update(lead, data, version)
        control.after_rejection(lead, self.user)
        return lead

    def duplicate(self, lead: Any, target: str, target_id: int, note: str | None, version: int | None) -> Any:
        """Reject as a duplicate of a person, an organisation or another lead (``target``)."""
        column = DUPLICATE_TARGETS.get(target)
        if column is None or (target == "lead" and target_id == lead.id):
            raise Invalid({"duplicate_of_id": [_("Choose the record this lead repeats.")]})
        return self.run(self._reject, lead, "duplicate", note, version, {column: target_id})

    def link_deal(self, lead: Any, deal_id: int, version: int | None) -> Any:
        """Convert the lead into an existing deal: the lead goes to the deal's owner, converted."""
        return self.run(self._link_deal, lead, deal_id, version)

    def _link_deal(self, lead: Any, deal_id: int, version: int | None) -> Any:
        deals = moves.records("deal", self.user, self.session)
        try:
            deal = deals.get(deal_id)
        except NotFound:
            raise Invalid({"deal_id": [_("No such deal.")]}) from None
        if version is not None and version != lead.version:
            raise Conflict(lead, {"deal_id": deal_id})
        person_id = lead.person_id or self.session.execute(
            select(DealPerson.person_id).where(DealPerson.deal_id == deal.id).order_by(DealPerson.id).limit(1)).scalar()
        convert_into(self.leads, lead, deal, person_id, lead.organization_id or deal.organization_id, created=False,
                     owner_id=deal.owner_id)
        return lead

    # several leads
    def bulk(self, action: str, lead_ids: list[int], reason: str | None = None, note: str | None = None) -> BulkResult:
        """Accept or reject (``action``) each of ``lead_ids``, each in its own transaction, so one
        that can't be (moved meanwhile, no longer seen) leaves the others done."""
        self.require()
        if action not in ("accept", "reject"):
            raise Invalid({"action": [_("Choose accept or reject.")]})
        if action == "reject" and reason not in REJECTION_REASONS:
            raise Invalid({"rejection_reason": [_("Choose a reason from the list.")]})
        result = BulkResult()
        for lead_id in list(dict.fromkeys(lead_ids))[:BULK_LIMIT]:
            try:
                lead = self.leads.get(lead_id)
                if action == "accept":
                    self.accept(lead, None)
                else:
                    self.reject(lead, reason, note, None)
                result.done.append(lead_id)
            except RecordError as error:
                self.session.rollback()
                result.failed.append((lead_id, message_of(error)))
        return result


@dataclass
class BulkResult:
    done: list[int] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)


def message_of(error: RecordError) -> str:
    """One line saying why an action on a lead failed, in the user's language."""
    fields = getattr(error, "fields", None)
    if fields:
        return "; ".join(" ".join(str(m) for m in (messages if isinstance(messages, list) else [messages]))
                         for messages in fields.values())
    if isinstance(error, NotFound):
        return _("No such lead, or you can't see it.")
    if isinstance(error, Forbidden):
        return _("You may not do this.")
    return _("Someone changed this lead in the meantime; check it again.")


def convert_into(leads: Any, lead: Any, deal: Any, person_id: int | None, organization_id: int | None,
                 created: bool, owner_id: int | None = None) -> None:
    """The lead's side of a conversion, in the caller's transaction: the lead is assigned first
    when its state does not allow converting yet (new, accepted, in re-processing), then
    converted with its person, organisation and deal; the conversion is logged for both
    timelines and the deal keeps the lead's channel, source and UTM tags (when no earlier lead
    gave it them)."""
    if not moves.may_move(lead, "converted"):
        if owner_id and owner_id != lead.owner_id:
            leads.assign_owner(lead, owner_id)
        elif lead.owner_id is None:
            leads.assign_owner(lead, leads.user.id)
        leads.update(lead, {"status": "assigned"}, None)
    leads.update(lead, {"status": "converted", "person_id": person_id, "organization_id": organization_id,
                        "deal_id": deal.id}, None)
    session = leads.db
    session.add(Conversion(lead_id=lead.id, deal_id=deal.id, person_id=person_id, organization_id=organization_id,
                           created=created, user_id=leads.user.id))
    if session.get(DealOrigin, deal.id) is None:
        session.add(DealOrigin(deal_id=deal.id, lead_id=lead.id, channel=lead.channel, source_id=lead.source_id,
                               utm_source=lead.utm_source, utm_medium=lead.utm_medium, utm_campaign=lead.utm_campaign,
                               utm_content=lead.utm_content, utm_term=lead.utm_term, referrer=lead.referrer))
    session.flush()
