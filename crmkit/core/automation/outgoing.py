"""The two things automation shows elsewhere and the one it sends: runs on a record's timeline,
and a rule's webhook, POSTed after the change commits, signed as crmkit's webhooks are
(crmkit.webhooks) with the deployment's ``AUTOMATION_WEBHOOK_SECRET``.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from typing import Any

from flask import current_app, url_for
from sqlalchemy import or_, select

from crmkit import db as database
from crmkit.core.access.policy import user_can
from crmkit.core.automation.models import Rule, RuleRun
from crmkit.core.timeline import Cursor, TimelineEntry
from crmkit.db import utcnow
from crmkit.i18n import gettext as _
from crmkit.webhooks import signed_headers

SOURCE = "automation.run"
USER_AGENT = "crmkit-automation/1"


def timeline(entity: Any, record: Any, user: Any, before: Cursor | None, limit: int) -> list[TimelineEntry]:
    """The runs of rules on this record that did something, failed, or were stopped by the loop
    guard (a rule whose conditions did not hold is left out: the log page has those)."""
    statement = select(RuleRun).where(RuleRun.entity == entity.key, RuleRun.record_id == record.id,
                                      or_(RuleRun.result != "skipped", RuleRun.depth > 1))
    if before is not None:
        statement = statement.where(before.condition(RuleRun.at, RuleRun.id, SOURCE))
    runs = database.session().execute(statement.order_by(RuleRun.at.desc(), RuleRun.id.desc()).limit(limit)).scalars()
    labels = {"ok": _("done"), "skipped": _("stopped"), "error": _("failed")}
    admin = user_can(user, "core.manage_automation")
    return [TimelineEntry(
        at=run.at, kind="automation", source=SOURCE, source_id=run.id, label=_("Automation"),
        title=_("Rule «%(rule)s» %(result)s", rule=run.rule_name, result=labels.get(run.result, run.result)),
        summary=run.message or None,
        url=url_for("automation.edit", rule_id=run.rule_id) if admin and run.rule_id else None,
        details=((_("Result"), labels.get(run.result, run.result)),), item=run,
    ) for run in runs]


def call_webhook(rule_id: int, entity_key: str, record_id: int, url: str, event_id: str, body: str) -> None:
    """The job queued by a rule's webhook action once the change committed; its outcome is logged."""
    db = database.session()
    rule = db.get(Rule, rule_id)
    started = time.perf_counter()
    secret = current_app.config.get("AUTOMATION_WEBHOOK_SECRET")
    if not secret:
        result, message = "error", _("No AUTOMATION_WEBHOOK_SECRET is set: webhooks from rules are not signed, so none is sent.")
    else:
        data = body.encode()
        headers = signed_headers(str(secret), event_id, data) | {"User-Agent": USER_AGENT}
        request = urllib.request.Request(url, data=data, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=float(current_app.config.get("WEBHOOKS_TIMEOUT", 10))) as response:
                result, message = "ok", _("Webhook %(url)s answered %(code)d.", url=url, code=response.status)
        except urllib.error.HTTPError as error:
            result, message = "error", _("Webhook %(url)s answered %(code)d.", url=url, code=error.code)
        except (urllib.error.URLError, OSError, ValueError) as error:
            result, message = "error", _("Webhook %(url)s did not answer: %(error)s", url=url, error=getattr(error, "reason", error))
    db.add(RuleRun(rule_id=rule_id if rule else None, rule_name=rule.name if rule else "", entity=entity_key,
                   record_id=record_id, trigger="webhook", result=result, message=str(message)[:4000],
                   duration_ms=round((time.perf_counter() - started) * 1000, 2), at=utcnow()))
    db.commit()
