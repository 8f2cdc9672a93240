"""Telling an agent a lead is theirs: My day lists "Leads assigned to you" (those still waiting
for their first move, the nearest deadline first), and, while mail is on, the job
``core.lead_routing.tell_agent`` mails them once the assignment is committed: who wrote, what
they want, how to reach them, the deadline on the agent's clock, a link to the lead."""

from __future__ import annotations

from html import escape
from typing import Any

from flask_babel import force_locale
from sqlalchemy import select

from crmkit import Panel, db, mail
from crmkit.core.access.policy import user_can
from crmkit.core.auth.models import User
from crmkit.core.leads.channels import channel_label
from crmkit.core.leads.models import Lead
from crmkit.core.myday.reminders import language_of, moment
from crmkit.db import utcnow
from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_gettext as _l

SHOWN = 20


def compose(lead: Lead, agent: User) -> tuple[str, str, str]:
    """Subject, text and HTML of the mail, in the agent's language and time zone."""
    locale = language_of(agent)
    with force_locale(locale):
        name = lead.name or lead.organization_name or _("Lead #%(id)d", id=lead.id)
        subject = _("New lead for you: %(name)s", name=name)
        facts = [(_("Channel"), channel_label(lead.channel))]
        facts += [(label, value) for label, value in ((_("Phones"), lead.phones), (_("Emails"), lead.emails),
                                                      (_("Organisation name"), lead.organization_name)) if value]
        if lead.response_due_at is not None:
            facts.append((_("Answer by"), moment(lead.response_due_at, agent, locale)))
        request = (lead.request or "").strip()
        link = mail.external_url("records.lead_detail", record_id=lead.id)
        intro = _("The lead %(name)s has been assigned to you.", name=name)
        text = "\n".join([intro, "", *(f"{label}: {value}" for label, value in facts),
                          *(["", request] if request else []), *(["", link] if link else [])])
        html = f"<p>{escape(intro)}</p><ul>" + "".join(f"<li>{escape(str(label))}: {escape(str(value))}</li>" for label, value in facts) + "</ul>"
        if request:
            html += "<p>" + escape(request).replace("\n", "<br>") + "</p>"
        if link:
            html += f'<p><a href="{escape(link)}">{escape(link)}</a></p>'
    return subject, text, html


def tell_agent(lead_id: int, user_id: int) -> bool:
    """Mail the agent a lead was given to, if it is still theirs; False when there is nobody to
    tell or mail is off. Raises ``MailError`` when the server fails, so the job is retried."""
    session = db.session()
    lead, agent = session.get(Lead, lead_id), session.get(User, user_id)
    if lead is None or agent is None or lead.owner_id != agent.id or not agent.is_active or not agent.email:
        return False
    if not mail.enabled():
        return False
    subject, text, html = compose(lead, agent)
    mail.send(agent.email, subject, text, html)
    return True


def waiting_for(user: Any, limit: int = SHOWN) -> list[Lead]:
    """The user's leads assigned and not yet moved on, the nearest deadline first (those without
    one last), on ix_leads_lead_owner_list."""
    statement = (select(Lead).where(Lead.owner_id == user.id, Lead.status == "assigned", Lead.archived_at.is_(None))
                 .order_by(Lead.response_due_at.is_(None), Lead.response_due_at, Lead.id).limit(limit + 1))
    return list(db.session().execute(statement).scalars())


def myday_panels(user: Any) -> list[Panel]:
    if not getattr(user, "is_authenticated", False) or not user_can(user, "lead.view"):
        return []
    found = waiting_for(user)
    return [Panel(_l("Leads assigned to you"), "lead_routing/myday_assigned.html",
                  {"leads": found[:SHOWN], "more": len(found) > SHOWN, "shown": SHOWN, "channel_label": channel_label, "now": utcnow()},
                  order=9)]
