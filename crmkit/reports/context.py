"""What a report is computed from: the user, their time zone, the filter bar's values, and the SQL
pieces every report shares (visibility, the bar's conditions, time buckets, drill-down arguments).

A scripted report receives one ``Context`` and builds its Core selects from it:

    table = ctx.table()                          # the report entity's table
    where = ctx.conditions(table)                # visibility + archived + the bar + report filters
    day = ctx.bucket(table.c.created_at, "week")  # the user's weeks
    rows = ctx.db.execute(select(day, func.count()).where(*where).group_by(day)).all()
    ctx.drill_args(**ctx.bucket_args("created_at", "week", ctx.bucket_day(value)))
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app
from sqlalchemy import false, select, true
from sqlmodel import Session

from crmkit import db as database
from crmkit.core.access.models import Department
from crmkit.core.access.policy import Access, access_for, department_subtree
from crmkit.core.auth.models import User
from crmkit.reports import timezones
from crmkit.reports.declaration import PERIODS, TIME_BUCKETS, Report


def entity_of(key: str):
    return current_app.extensions["crmkit"].entities.get(key)


def zone_of(user: Any) -> str:
    zone = getattr(user, "timezone", None) or current_app.config["DEFAULT_TIMEZONE"]
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return zone


def as_int(raw: Any) -> int | None:
    try:
        value = int(str(raw))
    except (TypeError, ValueError):
        return None
    return value if 0 < value <= database.MAX_ID else None


def as_date(raw: Any) -> date | None:
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        return None


def period_days(preset: str, today: date, start: date | None, end: date | None) -> tuple[date | None, date | None]:
    """The first day and the day after the last of a period preset, as calendar days."""
    if preset == "today":
        return today, today + timedelta(days=1)
    if preset == "this_week":
        monday = today - timedelta(days=today.weekday())
        return monday, monday + timedelta(days=7)
    if preset == "this_month":
        return today.replace(day=1), next_month(today.replace(day=1))
    if preset == "last_month":
        first = today.replace(day=1)
        return (first - timedelta(days=1)).replace(day=1), first
    if preset == "this_quarter":
        first = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
        return first, next_month(next_month(next_month(first)))
    if preset == "this_year":
        return today.replace(month=1, day=1), today.replace(year=today.year + 1, month=1, day=1)
    if preset == "custom":
        if start and end and end < start:
            start, end = end, start
        return start, (end + timedelta(days=1)) if end else None
    return None, None  # "all"


def next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


@dataclass
class Context:
    """One run of one report for one user.

    :ivar report: the ``Report`` being run.
    :ivar user: the user it runs for (visibility and time zone are theirs).
    :ivar db: the database session; ``ctx.dialect`` is ``"sqlite"`` or ``"postgresql"``.
    :ivar zone: the user's time zone name; ``ctx.tz`` the ZoneInfo.
    :ivar values: the parsed query string: ``period``, ``start``/``end`` (dates), ``office``,
        ``department``, ``employee``, ``pipeline`` (ints or None), ``source`` (text or None), ``by``,
        ``measure``, and each report filter by name (its ``default`` when absent).
    :ivar start: the period's first moment (aware, UTC) or None; ``end`` the moment after its last.
    """

    report: Report
    user: Any
    db: Session
    values: dict[str, Any]
    zone: str
    args: dict[str, str] = field(default_factory=dict)
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    start: datetime | None = None
    end: datetime | None = None

    @classmethod
    def build(cls, report: Report, user: Any, args: Mapping[str, Any], db: Session | None = None, now=None) -> Context:
        """Read the filter bar from ``args`` (a request's query string or a saved report's)."""
        zone = zone_of(user)
        now = now or datetime.now(UTC)
        values: dict[str, Any] = {
            "period": args.get("period") if args.get("period") in PERIODS
            else "custom" if args.get("start") or args.get("end") else report.default_period,  # dates alone mean them
            "start": as_date(args.get("start", "")),
            "end": as_date(args.get("end", "")),
            "by": args.get("by") or (report.dimensions[0].name if report.dimensions else None),
            "measure": args.get("measure") or None,
        }
        for name in ("office", "department", "employee", "pipeline"):
            values[name] = as_int(args.get(name, "")) if report.shows(name) else None
        values["source"] = (str(args.get("source") or "").strip()[:40] or None) if report.shows("source") else None
        for extra in report.filters:
            raw = args.get(extra.name)
            values[extra.name] = raw if raw not in (None, "") else extra.default
        kept = {k: str(v) for k, v in args.items() if v not in (None, "") and k not in ("saved", "format", "csrf_token")}
        ctx = cls(report, user, db or database.session(), values, zone, kept, now)
        if report.shows("period"):
            today = now.astimezone(ctx.tz).date()
            first, after = period_days(values["period"], today, values["start"], values["end"])
            ctx.start = ctx.moment(first) if first else None
            ctx.end = ctx.moment(after) if after else None
        return ctx

    # basics
    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    @property
    def dialect(self) -> str:
        return self.db.get_bind().dialect.name

    @property
    def access(self) -> Access:
        return access_for(self.db, self.user)

    def days(self) -> tuple[date | None, date | None]:
        """The period's first and last day on the user's calendar (None for an open end)."""
        first = self.start.astimezone(self.tz).date() if self.start else None
        last = (self.end - timedelta(microseconds=1)).astimezone(self.tz).date() if self.end else None
        return first, last

    def moment(self, day: date) -> datetime:
        """Midnight starting ``day`` on the user's clock, as a UTC moment."""
        return datetime.combine(day, time(), tzinfo=self.tz).astimezone(UTC)

    def entity(self, key: str | None = None):
        return entity_of(key or self.report.entity)

    def table(self, entity_key: str | None = None):
        """The table of ``entity_key`` (default: the report's entity), for Core selects."""
        return self.entity(entity_key).model.__table__

    # visibility and the bar
    def visible(self, entity_key: str, owner_column) -> Any:
        """The SQL condition "this user sees the record" for records of ``entity_key`` owned by
        ``owner_column``: the same rule as lists and pages (a manager's department, an agent's own)."""
        access = self.access
        ids = access.owner_ids(access.level(entity_key))
        if ids is None:
            return true()
        return database.among(owner_column, ids, self.dialect)

    def owners(self) -> frozenset[int] | None:
        """The owners the office, department and employee filters allow; None when none is set."""
        sets: list[set[int]] = []
        if self.values.get("employee"):
            sets.append({self.values["employee"]})
        if self.values.get("department"):
            departments = department_subtree(self.db, self.values["department"])
            sets.append(set(self.db.execute(select(User.id).where(User.department_id.in_(departments))).scalars()))
        if self.values.get("office"):
            departments = select(Department.id).where(Department.office_id == self.values["office"])
            sets.append(set(self.db.execute(select(User.id).where(User.department_id.in_(departments))).scalars()))
        if not sets:
            return None
        return frozenset(set.intersection(*sets))

    def conditions(
        self, table=None, *, entity: str | None = None, period_field: str | None | bool = True,
        owner_field: str | None | bool = True, visible: bool = True, where: bool = True,
    ) -> list[Any]:
        """The WHERE conditions of the report's figures over ``table`` (default: the report's
        entity): not archived, visible to the user, inside the bar's period, owners, pipeline and
        source, the report's fixed ``where`` and its own filters. Pass a field name to read the
        period or owner from another column, or None to leave that condition out."""
        report = self.report
        table = self.table() if table is None else table
        entity = entity or report.entity
        period_field = report.period_field if period_field is True else period_field
        owner_field = report.owner_field if owner_field is True else owner_field
        found: list[Any] = []
        if "archived_at" in table.c:
            found.append(table.c.archived_at.is_(None))
        if visible:
            found.append(self.visible(entity, table.c.owner_id))
        if period_field and report.shows("period"):
            if self.start is not None:
                found.append(table.c[period_field] >= self.start)
            if self.end is not None:
                found.append(table.c[period_field] < self.end)
        owners = self.owners()
        if owner_field and owners is not None:
            found.append(database.among(table.c[owner_field], owners, self.dialect) if owners else false())
        if report.pipeline_field and self.values.get("pipeline") and report.pipeline_field in table.c:
            found.append(table.c[report.pipeline_field] == self.values["pipeline"])
        if report.source_field and self.values.get("source") and report.source_field in table.c:
            found.append(table.c[report.source_field] == self.values["source"])
        if where:
            found.extend(table.c[name] == value for name, value in report.where.items())
            for extra in report.filters:
                value = self.values.get(extra.name)
                if value in (None, ""):
                    continue
                if extra.column:
                    found.append(table.c[extra.column] == value)
                elif extra.condition:
                    found.append(extra.condition(self, table, value))
        return found

    def drill_args(self, **extra: Any) -> dict[str, str]:
        """The entity list's query arguments that select the same records as ``conditions()``:
        the period as ``<period_field>__gte``/``__lt`` (UTC), the owners as ``owner_id__in``, the
        pipeline, the source, the fixed ``where`` and the report's filters; ``extra`` adds or
        replaces arguments (a figure's group), and a None value removes one."""
        report = self.report
        args: dict[str, str] = {}
        if report.shows("period") and report.period_field:
            if self.start is not None:
                args[f"{report.period_field}__gte"] = iso(self.start)
            if self.end is not None:
                args[f"{report.period_field}__lt"] = iso(self.end)
        owners = self.owners()
        if owners is not None:
            args[f"{report.owner_field}__in"] = ",".join(str(i) for i in sorted(owners)) or "0"
        if report.pipeline_field and self.values.get("pipeline"):
            args[report.pipeline_field] = str(self.values["pipeline"])
        if report.source_field and self.values.get("source"):
            args[report.source_field] = self.values["source"]
        for name, value in report.where.items():
            args[name] = text_arg(value)
        for extra_filter in report.filters:
            value = self.values.get(extra_filter.name)
            if value in (None, ""):
                continue
            if extra_filter.column:
                args[extra_filter.column] = text_arg(value)
            elif extra_filter.drill_args:
                args.update(extra_filter.drill_args(self, value))
        for name, value in extra.items():
            if value is None:
                args.pop(name, None)
            else:
                args[name] = text_arg(value)
        return args

    def members_args(self, **figure: Any) -> dict[str, str]:
        """List arguments showing exactly ``report.members(ctx, figure)``: ``?in_report=<key>?<args>``,
        the report's own arguments and the figure's (as ``figure.<name>``)."""
        args = {**self.args, **{f"figure.{k}": text_arg(v) for k, v in figure.items()}}
        return {"in_report": f"{self.report.key}?{urlencode(sorted(args.items()))}"}

    # time
    def local(self, column) -> Any:
        """``column`` (a UTC moment) on the user's clock, as an SQL expression."""
        return timezones.local_time(column, self.dialect, self.zone, self.start, self.end)

    def bucket(self, column, unit: str) -> Any:
        """The user's day, week (from Monday) or month holding ``column``; read values with ``bucket_day``."""
        if unit not in TIME_BUCKETS:
            raise ValueError(f"unit must be one of {TIME_BUCKETS}")
        return timezones.bucket(column, unit, self.dialect, self.zone, self.start, self.end)

    def hour(self, column) -> Any:
        """The hour (0-23) of ``column`` on the user's clock."""
        return timezones.hour(column, self.dialect, self.zone, self.start, self.end)

    def weekday(self, column) -> Any:
        """The ISO weekday (1 Monday .. 7 Sunday) of ``column`` on the user's clock."""
        return timezones.weekday(column, self.dialect, self.zone, self.start, self.end)

    @staticmethod
    def bucket_day(value: Any) -> date | None:
        """A value of ``bucket()`` as a date, whatever the engine returned."""
        if value is None or isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, datetime):
            return value.date()
        return date.fromisoformat(str(value)[:10])

    def bucket_bounds(self, unit: str, day: date) -> tuple[datetime, datetime]:
        """The UTC moments a bucket starting on ``day`` spans, clipped to the period."""
        after = day + timedelta(days=1) if unit == "day" else day + timedelta(days=7) if unit == "week" else next_month(day)
        first, last = self.moment(day), self.moment(after)
        if self.start is not None:
            first = max(first, self.start)
        if self.end is not None:
            last = min(last, self.end)
        return first, last

    def bucket_args(self, field_name: str, unit: str, day: date) -> dict[str, str]:
        """List arguments for the records of one bucket: ``<field>__gte`` and ``<field>__lt``."""
        first, last = self.bucket_bounds(unit, day)
        return {f"{field_name}__gte": iso(first), f"{field_name}__lt": iso(last)}

    # names
    def user_names(self, ids) -> dict[Any, str]:
        """Employees' names (or emails) by id, in one query."""
        wanted = [i for i in ids if i is not None]
        if not wanted:
            return {}
        rows = self.db.execute(select(User.id, User.name, User.email).where(User.id.in_(wanted)))
        return {row.id: row.name or row.email for row in rows}


def text_arg(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return iso(value)
    return str(value)
