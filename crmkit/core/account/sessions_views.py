"""/account/sessions: end one of one's own signed-in sessions, or all but this one.

The list itself is on the account page (crmkit.core.account.views.page)."""

from __future__ import annotations

import re

from flask import abort, flash, redirect, url_for
from flask_login import current_user

from crmkit import audit, db
from crmkit.core.account.views import bp
from crmkit.core.auth import sessions
from crmkit.i18n import gettext as _

BROWSERS = (("Edg/", "Edge"), ("YaBrowser/", "Yandex Browser"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
            ("Chrome/", "Chrome"), ("Chromium/", "Chromium"), ("Safari/", "Safari"), ("curl/", "curl"))
SYSTEMS = (("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iPadOS"), ("Windows", "Windows"),
           ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def device(user_agent: str) -> str:
    """A short name for a browser from its User-Agent ("Firefox, Windows"); the raw string when unknown."""
    browser = next((name for marker, name in BROWSERS if marker in user_agent), None)
    system = next((name for marker, name in SYSTEMS if re.search(re.escape(marker), user_agent)), None)
    if browser is None and system is None:
        return user_agent[:80] or _("Unknown device")
    return ", ".join(part for part in (browser, system) if part)


@bp.app_template_filter("device")
def device_filter(user_agent: str) -> str:
    return device(user_agent or "")


@bp.route("/sessions/<int:session_id>/end", methods=["POST"])
def end_session(session_id: int):
    """End one of my sessions; ending this browser's own is a logout."""
    current = sessions.current()
    if current is not None and current.id == session_id:
        audit.record("logout")
        sessions.end_current()
        flash(_("You have logged out."), "info")
        return redirect(url_for("auth.login"))
    if not sessions.end(db.session(), current_user.id, session_id):
        abort(404)
    audit.record("session_ended", ended=1)
    flash(_("That session has ended."), "success")
    return redirect(url_for("account.index"))


@bp.route("/sessions/end-others", methods=["POST"])
def end_other_sessions():
    current = sessions.current()
    session = db.session()
    ended = sessions.end_all(session, current_user.id, keep_id=current.id if current else None)
    audit.record("session_ended", ended=ended, commit=False)
    session.commit()
    flash(_("Every other session has ended."), "success")
    return redirect(url_for("account.index"))
