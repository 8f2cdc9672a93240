"""The lead list's "Response" column (a computed column of the lead's schema): "⚠ Overdue by 2
hours" for a lead past its deadline that nobody has answered, the deadline for one still in time,
nothing once answered. Worked out from the page's leads alone: no query."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from flask_babel import format_datetime

from crmkit.db import utcnow
from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_gettext as _l
from crmkit.i18n import ngettext

WAITING = ("new", "accepted", "assigned")


def late_by(due: datetime, now: datetime) -> str:
    minutes = max(int((now - due).total_seconds() // 60), 0)
    if minutes >= 120:
        return ngettext("%(num)d hour", "%(num)d hours", minutes // 60)
    return ngettext("%(num)d minute", "%(num)d minutes", minutes)


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class ResponseColumn:
    """``LeadSchema.computed_columns["response"]``."""

    label = _l("Response")

    def values(self, leads: Sequence[Any]) -> dict[int, str]:
        now = utcnow()
        found = {}
        for lead in leads:
            due = lead.response_due_at
            if due is None or lead.first_response_at is not None or lead.status not in WAITING:
                continue
            due = aware(due)
            if due < now:
                found[lead.id] = "⚠ " + _("Overdue by %(time)s", time=late_by(due, now))
            else:
                found[lead.id] = _("answer by %(when)s", when=format_datetime(due, "short"))
        return found
