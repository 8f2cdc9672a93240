"""Saved reports and their mailings: who sees, changes and receives them.

A saved report is opened by redirecting to the report with its arguments, so a saved report and
a copied link show the same thing. Its owner sees it, and everyone who may run the report sees
it once it is shared; its owner deletes it, and so does whoever holds ``reports.manage``.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlmodel import Session

from crmkit.core.access.policy import access_for
from crmkit.core.auth.models import User
from crmkit.reports.context import next_month, zone_of
from crmkit.reports.models import FREQUENCIES, ReportMailing, SavedReport

MANAGE = "reports.manage"
KEPT_LIMIT = 40  # arguments of one saved report
FRAME_ARGS = ("saved", "format", "csrf_token", "name", "shared")  # never saved: how to show, or the save form's own


def params_of(args) -> dict[str, str]:
    """The arguments worth keeping from a report's query string."""
    kept = {k: str(v)[:200] for k, v in args.items() if k not in FRAME_ARGS and v not in (None, "")}
    return dict(list(kept.items())[:KEPT_LIMIT])


def visible(db: Session, user: Any, report_key: str | None = None) -> list[SavedReport]:
    """The saved reports the user may open: their own and shared ones (of ``report_key`` if given)."""
    statement = select(SavedReport).where(or_(SavedReport.owner_id == user.id, SavedReport.shared.is_(True)))
    if report_key is not None:
        statement = statement.where(SavedReport.report_key == report_key)
    return list(db.execute(statement.order_by(SavedReport.name, SavedReport.id).limit(500)).scalars())


def may_open(user: Any, saved: SavedReport) -> bool:
    return saved.owner_id == user.id or saved.shared


def may_change(db: Session, user: Any, saved: SavedReport) -> bool:
    return saved.owner_id == user.id or access_for(db, user).can(MANAGE)


def save(db: Session, user: Any, report_key: str, name: str, shared: bool, args) -> SavedReport:
    saved = SavedReport(report_key=report_key, name=name.strip()[:200], owner_id=user.id, shared=shared, params=params_of(args))
    db.add(saved)
    db.commit()
    return saved


def delete(db: Session, saved: SavedReport) -> None:
    for mailing in db.execute(select(ReportMailing).where(ReportMailing.saved_id == saved.id)).scalars():
        db.delete(mailing)
    db.flush()
    db.delete(saved)
    db.commit()


def mailings_of(db: Session, saved_ids: list[int]) -> dict[int, list[ReportMailing]]:
    found: dict[int, list[ReportMailing]] = {}
    if saved_ids:
        statement = select(ReportMailing).where(ReportMailing.saved_id.in_(saved_ids)).order_by(ReportMailing.id)
        for mailing in db.execute(statement).scalars():
            found.setdefault(mailing.saved_id, []).append(mailing)
    return found


def recipients_named(db: Session, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {row.id: row.name or row.email for row in db.execute(select(User.id, User.name, User.email).where(User.id.in_(ids)))}


def next_run(mailing: ReportMailing, zone: str, after: datetime) -> datetime:
    """The first moment after ``after`` the mailing is due: its weekday or day of the month, at its
    hour, on its owner's clock; as UTC."""
    tz = ZoneInfo(zone)
    local = after.astimezone(tz)
    day = local.date()
    for _attempt in range(400):
        due = datetime.combine(day, time(hour=mailing.hour), tzinfo=tz)
        matches = day.weekday() == mailing.weekday if mailing.frequency == "weekly" else day.day == mailing.day
        if matches and due > local:
            return due.astimezone(UTC)
        day = day + timedelta(days=1) if mailing.frequency == "weekly" or day.day != mailing.day else next_month(day)
    raise ValueError("no next run within 400 days")  # unreachable with the validated fields


def make_mailing(db: Session, owner: Any, saved: SavedReport, form, now: datetime | None = None) -> ReportMailing:
    """A mailing from the form's ``frequency``, ``weekday``, ``day``, ``hour`` and ``recipients``;
    ValueError names the field that is wrong."""
    frequency = form.get("frequency", "weekly")
    if frequency not in FREQUENCIES:
        raise ValueError("frequency")
    numbers = {}
    for name, low, high, default in (("weekday", 0, 6, 0), ("day", 1, 28, 1), ("hour", 0, 23, 8)):
        try:
            numbers[name] = int(form.get(name, default))
        except (TypeError, ValueError):
            raise ValueError(name) from None
        if not low <= numbers[name] <= high:
            raise ValueError(name)
    wanted = {int(v) for v in form.getlist("recipients") if str(v).isdigit()}
    active = set(db.execute(select(User.id).where(User.id.in_(wanted), User.is_active.is_(True))).scalars()) if wanted else set()
    if not active:
        raise ValueError("recipients")
    mailing = ReportMailing(saved_id=saved.id, owner_id=owner.id, frequency=frequency, recipients=sorted(active),
                            next_run_at=datetime.now(UTC), **numbers)
    mailing.next_run_at = next_run(mailing, zone_of(owner), now or datetime.now(UTC))
    db.add(mailing)
    db.commit()
    return mailing
