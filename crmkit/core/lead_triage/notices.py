"""Telling a lead's owner that quality control returned it to them: My day lists it (panels.py)
and, while mail is on, the job ``core.lead_triage.tell_owner`` mails them in their language, with
the controller's comment and a link to the lead. Queued once the return is committed."""

from __future__ import annotations

from html import escape

from flask_babel import force_locale

from crmkit import db as database
from crmkit import mail
from crmkit.core.auth.models import User
from crmkit.core.lead_triage.models import Review
from crmkit.core.leads.models import Lead
from crmkit.core.myday.reminders import language_of
from crmkit.i18n import gettext as _

def compose(lead: Lead, review: Review, owner: User) -> tuple[str, str, str]:
    """Subject, text and HTML of the notice, in the owner's language."""
    with force_locale(language_of(owner)):
        name = lead.name or _("Lead #%(id)d", id=lead.id)
        subject = _("Lead returned to you: %(name)s", name=name)
        link = mail.external_url("records.lead_detail", record_id=lead.id)
        lines = [_("Quality control returned the lead %(name)s to you.", name=name)]
        if review.comment:
            lines.append(_("Comment: %(comment)s", comment=review.comment))
        text = "\n".join([*lines, *(["", link] if link else [])])
        html = "".join(f"<p>{escape(line)}</p>" for line in lines)
        if link:
            html += f'<p><a href="{escape(link)}">{escape(link)}</a></p>'
    return subject, text, html


def tell_owner(lead_id: int, review_id: int) -> bool:
    """Mail the lead's owner about its return; False when there is nobody to tell or mail is off."""
    session = database.session()
    lead, review = session.get(Lead, lead_id), session.get(Review, review_id)
    owner = session.get(User, lead.owner_id) if lead is not None and lead.owner_id else None
    if review is None or owner is None or not owner.is_active or not owner.email or not mail.enabled():
        return False
    subject, text, html = compose(lead, review, owner)
    mail.send(owner.email, subject, text, html)
    return True
