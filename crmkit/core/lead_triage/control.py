"""Quality control: leads that were rejected, left without an action for too long, or whose deal
was lost wait in the re-processing queue (status "reprocessing", with ``reprocess_reason``) until a
controller (``leads.control``) returns them to work with a comment, the owner told, or confirms the
rejection with a comment.

How leads get there: a rejection in triage sends the lead at once (unless the admins set its reason
to skip quality control: spam by default); a lost deal sends its converted lead within the same
transaction as the loss; and the periodic job ``core.lead_triage.sweep`` catches the rest: rejections
made elsewhere (the lead's form, the API), open leads whose last action is older than the admins'
stale days, deals lost through an import. A lead whose rejection a controller confirmed keeps its
``reprocess_reason`` and is never sent again for that rejection.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from flask import url_for
from sqlalchemy import and_, or_, select

from crmkit import db as database
from crmkit.core.notifications.service import notify
from crmkit.core.lead_triage import moves
from crmkit.core.lead_triage.models import DEFAULT_SKIPPED_REASONS, DEFAULT_STALE_DAYS, Review, Settings
from crmkit.core.leads.models import REJECTION_REASONS, Lead
from crmkit.core.pipelines import names
from crmkit.core.pipelines.models import Deal
from crmkit.db import utcnow
from crmkit.entities.errors import Conflict, Forbidden, Invalid
from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_gettext as _l

PERMISSION = "leads.control"
SETUP_PERMISSION = "leads.control_setup"
STALE_STATES = ("assigned", "in_work")
RETURN_STATES = ("assigned", "in_work")
BATCH = 500  # leads one run of the sweep sends per reason; the next run takes the rest
MAX_STALE_DAYS = 365
log = logging.getLogger("crmkit.lead_triage")


# settings
def settings(session: Any = None) -> Settings:
    """The admins' settings, or the defaults (not saved) when none were ever saved."""
    session = session or database.session()
    found = session.get(Settings, 1)
    return found if found is not None else Settings(id=1, stale_days=DEFAULT_STALE_DAYS,
                                                    skipped_reasons=list(DEFAULT_SKIPPED_REASONS))


def save_settings(stale_days_text: str, skipped: list[str]) -> Settings:
    """Save the settings from the admins' form; ``Invalid`` names a bad field."""
    errors: dict[str, list[str]] = {}
    try:
        stale_days = int(str(stale_days_text).strip())
    except ValueError:
        stale_days = None
    if stale_days is None or not 1 <= stale_days <= MAX_STALE_DAYS:
        errors["stale_days"] = [_("A whole number of days from 1 to %(most)d.", most=MAX_STALE_DAYS)]
    if unknown := [reason for reason in skipped if reason not in REJECTION_REASONS]:
        errors["skipped_reasons"] = [_("Unknown reasons: %(reasons)s.", reasons=", ".join(unknown))]
    if errors:
        raise Invalid(errors)
    session = database.session()
    row = session.get(Settings, 1) or Settings(id=1)
    row.stale_days, row.skipped_reasons, row.updated_at = stale_days, sorted(set(skipped)), utcnow()
    session.add(row)
    session.commit()
    return row


# sending leads to quality control
def open_review(session: Any, lead_id: int) -> Review | None:
    """The lead's round of quality control still waiting for a decision, if any."""
    statement = select(Review).where(Review.lead_id == lead_id).order_by(Review.id.desc()).limit(1)
    found = session.execute(statement).scalars().first()
    return found if found is not None and found.outcome is None else None


def send(lead: Any, reason: str, note: str | None = None, user: Any = None) -> bool:
    """Move ``lead`` into the re-processing queue for ``reason`` (rejected, stale, lost), as ``user``
    (through the records service) or, with None, as the quality-control job; in the caller's
    transaction. False when its workflow does not allow the move from where it is."""
    values = {"status": "reprocessing", "reprocess_reason": reason, "reprocess_note": note}
    if user is not None:
        if not moves.may_move(lead, "reprocessing"):
            return False
        moves.records(moves.LEAD, user).update(lead, values, None)
    elif not moves.system_move(lead, "reprocessing", reprocess_reason=reason, reprocess_note=note):
        return False
    session = database.session()
    session.add(Review(lead_id=lead.id, reason=reason, note=note))
    session.flush()
    return True


def after_rejection(lead: Any, user: Any) -> bool:
    """A lead just rejected goes to quality control, unless its reason skips it."""
    if lead.rejection_reason in settings().skipped_reasons:
        return False
    return send(lead, "rejected", lead.rejection_note, user)


def deal_is_lost(deal_id: int | None) -> bool:
    """Whether the deal is in a lost stage now."""
    deal = database.session().get(Deal, deal_id) if deal_id else None
    stage = names.stages().get(deal.stage_id) if deal is not None else None
    return stage is not None and stage.kind == "lost"


def deal_lost(deal: Any) -> int:
    """The converted leads of a deal just lost go to quality control (in the loss's transaction)."""
    session = database.session()
    statement = select(Lead).where(Lead.deal_id == deal.id, Lead.status == "converted", Lead.archived_at.is_(None))
    return sum(send(lead, "lost") for lead in session.execute(statement.limit(BATCH)).scalars())


def waiting_rejected(skipped: list[str]):
    statement = select(Lead).where(Lead.status == "rejected", Lead.reprocess_reason.is_(None), Lead.archived_at.is_(None))
    if skipped:
        statement = statement.where(or_(Lead.rejection_reason.is_(None), Lead.rejection_reason.not_in(skipped)))
    return statement


def waiting_stale(stale_days: int):
    cut = utcnow() - timedelta(days=stale_days)
    idle = or_(Lead.last_action_at < cut, and_(Lead.last_action_at.is_(None), Lead.received_at < cut))
    return select(Lead).where(Lead.status.in_(STALE_STATES), Lead.archived_at.is_(None), idle)


def waiting_lost():
    lost = [stage.id for stage in names.stages().values() if stage.kind == "lost"]
    return (select(Lead).join(Deal, Deal.id == Lead.deal_id)
            .where(Lead.status == "converted", Lead.reprocess_reason.is_(None), Lead.archived_at.is_(None),
                   Deal.stage_id.in_(lost)))


def sweep() -> dict[str, int]:
    """The periodic job: send every lead that should be in quality control and is not, one lead
    per transaction (a lead changed meanwhile is left for the next run); returns the counts."""
    session = database.session()
    conf = settings(session)
    found = {}
    for reason, statement in (("rejected", waiting_rejected(conf.skipped_reasons)),
                              ("stale", waiting_stale(conf.stale_days)), ("lost", waiting_lost())):
        ids = list(session.execute(statement.with_only_columns(Lead.id).order_by(Lead.id).limit(BATCH)).scalars())
        found[reason] = 0
        for lead_id in ids:
            lead = session.get(Lead, lead_id)
            try:
                sent = send(lead, reason, lead.rejection_note if reason == "rejected" else None)
            except Exception:  # noqa: BLE001 - one lead's failure must not stop the others
                session.rollback()
                log.exception("lead %s could not be sent to quality control", lead_id)
                continue
            session.commit()
            found[reason] += int(sent)
    return found


# the controller's decisions
RETURNED = "lead_triage.returned"  # the kind of notification the owner gets (mailed by default)


def tell_owner(lead: Any, comment: str | None) -> None:
    """The owner learns their lead is back, in their language: the bell, My day and (unless they
    turned it off) an email, which the notifications send once the return commits."""
    name = lead.name or f"#{lead.id}"
    notify(lead.owner_id, (_l("Quality control returned the lead %(name)s to you."), {"name": name}), body=comment,
           url=url_for("records.lead_detail", record_id=lead.id), kind=RETURNED, record=("lead", lead.id))



class Control:
    """A controller's decisions on leads in the re-processing queue, each one transaction."""

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
        lead = self.leads.get(lead_id)
        if lead.status != "reprocessing":
            raise Invalid({"status": [_("This lead is no longer waiting for quality control.")]})
        return lead

    def return_to_work(self, lead: Any, comment: str | None, state: str, owner_id: int | None, version: int | None) -> Review:
        """Back to ``state`` (assigned or in work) with ``owner_id`` (default: its owner), who is
        told with the comment."""
        return self._run(self._return, lead, (comment or "").strip() or None, state, owner_id, version)

    def _return(self, lead, comment, state, owner_id, version) -> Review:
        if state not in RETURN_STATES:
            raise Invalid({"state": [_("Choose assigned or in work.")]})
        owner_id = owner_id or lead.owner_id
        if owner_id is None:
            raise Invalid({"owner_id": [_("Choose who works on this lead.")]})
        if version is not None and version != lead.version:
            raise Conflict(lead, {"status": state})
        reason = lead.reprocess_reason
        if owner_id != lead.owner_id:
            self.leads.assign_owner(lead, owner_id)
        self.leads.update(lead, {"status": state, "reprocess_reason": None, "reprocess_note": None,
                                 "rejection_reason": None, "rejection_note": None}, None)
        review = self._decide(lead, "returned", comment, reason)
        tell_owner(lead, comment)
        return review

    def confirm(self, lead: Any, comment: str | None, reason: str | None, version: int | None) -> Review:
        """Rejected for good: its rejection reason (or ``reason``, for a stale or lost lead)."""
        return self._run(self._confirm, lead, (comment or "").strip() or None, reason, version)

    def _confirm(self, lead, comment, reason, version) -> Review:
        reason = reason or lead.rejection_reason
        if reason not in REJECTION_REASONS:
            raise Invalid({"rejection_reason": [_("Choose a reason from the list.")]})
        note, sent_for = lead.rejection_note or comment, lead.reprocess_reason
        self.leads.update(lead, {"status": "rejected", "rejection_reason": reason, "rejection_note": note}, version)
        return self._decide(lead, "confirmed", comment, sent_for)

    def _decide(self, lead: Any, outcome: str, comment: str | None, reason: str | None) -> Review:
        review = open_review(self.session, lead.id)
        if review is None:  # sent by hand (the lead's form): a round of its own
            review = Review(lead_id=lead.id, reason=reason or "rejected", queued_at=utcnow())
        review.outcome, review.decided_at, review.decided_by_id, review.comment = outcome, utcnow(), self.user.id, comment
        self.session.add(review)
        self.session.flush()
        return review

    def _run(self, action, *args) -> Any:
        try:
            result = action(*args)
        except BaseException:
            self.session.rollback()
            raise
        self.session.commit()
        return result
