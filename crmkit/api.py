"""The public API for plugin authors: everything a plugin may import from crmkit, in one module.

    from crmkit import api

Declarations (``EntityType``, ``Record``, ``Workflow``, ``State`` and the values hooks return),
``hookimpl``, the records service, entity lookup, the URLs of entity pages, the current user and
permission checks, jobs, mail, the database session and errors. Each name here is documented in
docs/plugins.md ("The public API") and kept working across versions; everything else in crmkit
(``crmkit.entities.*``, ``crmkit.core.*``, ...) is internal and may change without notice.
The REST API for programs is another thing: see crmkit/core/api and docs/api.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, url_for
from flask_login import current_user as _current_user
from werkzeug import exceptions as http

from crmkit import audit as _audit
from crmkit import db as _db
from crmkit import jobs as _jobs
from crmkit import mail as _mail
from crmkit import public
from crmkit import search as _search
from crmkit.core import worktime as _worktime
from crmkit.entities import service as _service
from crmkit.entities import workflow as _workflow
from crmkit.entities.declaration import EntityType
from crmkit.entities.errors import Conflict, Forbidden, Invalid, NotFound, RecordError
from crmkit.entities.extensions import EntityExtension
from crmkit.entities.record import Record
from crmkit.core.leads.intake import Incoming
from crmkit.core.inventory import service as _inventory
from crmkit.core.inventory.declaration import Inventory
from crmkit.core.leads import intake as _intake
from crmkit.core.pipelines.schemas import Money
from crmkit.core.notifications.kinds import NotificationKind
from crmkit.core.notifications.service import notify
from crmkit.core.timeline.entries import TimelineEntry
from crmkit.entities.workflow import State, Workflow
from crmkit.hookspecs import hookimpl, hookspec
from crmkit.jobs import Job, PeriodicJob, crontab
from crmkit.mail import MailError
from crmkit.plugin_i18n import Messages
from crmkit.redirects import local_url
from crmkit.types import Action, AssignmentCondition, AuditAction, DashboardWidget, IntakeSource, NavItem, Panel, Permission

__all__ = [
    "Action",
    "AssignmentCondition",
    "AuditAction",
    "Conflict",
    "DashboardWidget",
    "EntityExtension",
    "EntityType",
    "Forbidden",
    "Incoming",
    "IntakeSource",
    "Inventory",
    "Invalid",
    "Job",
    "MailError",
    "Messages",
    "Money",
    "NavItem",
    "NotFound",
    "NotificationKind",
    "Panel",
    "PeriodicJob",
    "Permission",
    "PermissionDenied",
    "Record",
    "RecordError",
    "Records",
    "State",
    "TimelineEntry",
    "Workflow",
    "add_working_days",
    "add_working_minutes",
    "attach_file",
    "attachments_of",
    "count_subjects",
    "inventory_entities",
    "audit",
    "can",
    "crontab",
    "current_user",
    "detail_url",
    "edit_url",
    "endpoint",
    "enqueue",
    "enqueue_after_commit",
    "entities",
    "entity",
    "export_url",
    "find_user",
    "hookimpl",
    "hooks",
    "hookspec",
    "import_url",
    "is_working_time",
    "items_of",
    "link_items",
    "lead_source_field",
    "lead_sources",
    "list_url",
    "local_url",
    "matching_ids",
    "new_url",
    "next_states",
    "notify",
    "caller_lookup",
    "phone_e164",
    "phone_holders",
    "public",
    "receive_lead",
    "require",
    "send_mail",
    "subjects_of",
    "session",
    "time_in_states",
    "today",
    "unlink_item",
    "working_seconds_between",
]

PAGES = ("list", "new", "detail", "edit", "archive")  # the record pages every entity gets
EntityRef = EntityType | str


# Entity types at run time


def entities() -> list[EntityType]:
    """Every entity type of the running app (the core's and all active plugins'), in load order."""
    return list(current_app.extensions["crmkit"].entities)


def entity(key: EntityRef) -> EntityType:
    """The entity type with this key (``"person"``, ``"deal"``, ``"complaints.complaint"``).

    Raises ``LookupError`` naming the known keys when no active plugin declares it, so a plugin
    that links to another plugin's entity can say so at start-up instead of failing later.
    An ``EntityType`` is returned as it is, so helpers accept either.
    """
    if isinstance(key, EntityType):
        return key
    registry = current_app.extensions["crmkit"].entities
    if key not in registry:
        raise LookupError(f"no entity {key!r}; known: {', '.join(sorted(e.key for e in registry))}")
    return registry.get(key)


_lookup = entity  # for Records, whose argument is called entity


# Records


class Records(_service.Records):
    """Read and write one entity type's records as a user, as every page, the API and import do.

    ``Records("complaints.complaint")`` acts for the logged-in user; pass ``user=`` in jobs and
    commands (None is refused: there is always someone acting). Every call checks the user's
    permission (``<key>.view``, ``.create``, ``.edit``, ``.archive``) and record visibility,
    validates through the entity's schema (with other plugins' extension fields), keeps history,
    runs the workflow and sends ``entity_event``:

    - ``get(id)`` -> the record, or ``NotFound`` (also for a record the user can't see);
    - ``list(*conditions, order_by=None, limit=50)`` -> the records the user sees;
    - ``select()`` -> a SQLAlchemy SELECT of them, to add filters, order and limits to;
    - ``create(data)``, ``update(record, data, version)`` -> the saved record, or ``Invalid``
      (``.fields`` per field), ``Conflict`` (a stale ``version``; None skips the check);
    - ``archive(record)``, ``restore(record)``; ``history(record)``;
    - ``values_of(record)``: its values with extension fields; ``can(action)``, ``require(action)``.

    Each write commits. Errors are ``RecordError`` subclasses carrying the HTTP ``status``.
    """

    def __init__(self, entity: EntityRef, user: Any = None, db: Any = None):
        acting = user if user is not None else current_user()
        if acting is None:
            raise PermissionDenied("records are read and written as a user; pass user=")
        super().__init__(_lookup(entity), acting, db)

    def list(self, *conditions: Any, order_by: Any = None, limit: int | None = 50,
             include_archived: bool = False) -> list:
        """The records this user sees that meet ``conditions`` (SQLAlchemy expressions on
        ``self.model``), in ``order_by`` order (default: newest first), at most ``limit``."""
        statement = self.select(include_archived=include_archived).where(*conditions)
        statement = statement.order_by(order_by if order_by is not None else self.model.id.desc())
        if limit is not None:
            statement = statement.limit(limit)
        return list(self.db.execute(statement).scalars())


def next_states(entity_ref: EntityRef, record: Any) -> list[State]:
    """The states a record may move to now by its entity's workflow (None: those a new record may
    start in), archived states left out; what its form offers."""
    return _workflow.allowed_targets(entity(entity_ref), _db.session(), record)


def time_in_states(entity_ref: EntityRef, record: Any, now: datetime | None = None) -> list:
    """Each stay of a record in a workflow state, oldest first, as ``(state, entered_at, left_at,
    seconds)``; the current stay has ``left_at`` None and is counted up to ``now``. One query."""
    return _workflow.time_in_states(_db.session(), entity(entity_ref).key, _id(record), now)


def matching_ids(entity_ref: EntityRef, text: str) -> Any:
    """A SELECT of the ids of the entity's records whose search fields match ``text`` as the search
    box does, with no visibility applied: combine it with ``Records.select()``
    (``records.select().where(records.model.id.in_(api.matching_ids(key, q)))``)."""
    return _search.matching_ids(entity(entity_ref), text)


# URLs of entity pages


def endpoint(entity_ref: EntityRef, page: str) -> str:
    """The Flask endpoint of an entity's page: ``page`` is one of list, new, detail, edit, archive
    (``records.complaints__complaint_detail``), for ``NavItem(endpoint=...)`` and ``url_for``."""
    if page not in PAGES:
        raise ValueError(f"page must be one of {', '.join(PAGES)}, not {page!r}")
    return f"records.{entity(entity_ref).endpoint_prefix}_{page}"


def _id(record: Any) -> int:
    return record if isinstance(record, int) else record.id


def list_url(entity_ref: EntityRef, **filters: Any) -> str:
    """The entity's list, filtered like its filter bar (``list_url("person", segment="vip")``)."""
    return url_for(endpoint(entity_ref, "list"), **filters)


def detail_url(entity_ref: EntityRef, record: Any) -> str:
    """A record's page; ``record`` is the record or its id."""
    return url_for(endpoint(entity_ref, "detail"), record_id=_id(record))


def new_url(entity_ref: EntityRef, **prefill: Any) -> str:
    """The create form, its fields filled from ``prefill`` (``new_url("deal", organization_id=3)``)."""
    return url_for(endpoint(entity_ref, "new"), **prefill)


def edit_url(entity_ref: EntityRef, record: Any) -> str:
    """A record's edit form; ``record`` is the record or its id."""
    return url_for(endpoint(entity_ref, "edit"), record_id=_id(record))


def import_url(entity_ref: EntityRef) -> str:
    """The import page of the entity (CSV or XLSX upload; permission ``<key>.import``)."""
    return url_for("transfer.upload", entity_key=entity(entity_ref).key)


def export_url(entity_ref: EntityRef, format: str = "csv", **filters: Any) -> str:  # noqa: A002 - the page's argument
    """The export of what the user sees, filtered like the list; ``format`` is csv or xlsx."""
    return url_for("transfer.export", entity_key=entity(entity_ref).key, format=format, **filters)


# Users and permissions


class PermissionDenied(Forbidden, http.Forbidden):
    """Raised by ``require``: a 403 page or API answer in a view, a ``Forbidden`` (``RecordError``)
    anywhere else, so jobs and commands catch it like the records service's own refusals."""


def current_user() -> Any:
    """The logged-in user of the current request, or None (nobody logged in, or no request:
    a job receives its user as an argument instead). Users have ``id``, ``email``, ``name``,
    ``role``, ``department_id``, ``manager_id``, ``is_admin``, ``locale`` and ``timezone``."""
    user = _current_user._get_current_object()  # None outside a request
    return user if user is not None and user.is_authenticated else None


def find_user(*, id: int | None = None, email: str | None = None) -> Any:  # noqa: A002 - the column's name
    """The active user with this id or this email (case-insensitive), or None: whom a job, a
    webhook or a mapping table (a PBX's extensions) acts for, to pass to ``Records``."""
    from crmkit.core.auth.models import User as _User
    from sqlalchemy import func as _func, select as _select

    statement = _select(_User).where(_User.id == id) if id is not None else \
        _select(_User).where(_func.lower(_User.email) == (email or "").strip().lower())
    found = _db.session().execute(statement.limit(1)).scalar_one_or_none()
    return found if found is not None and getattr(found, "is_active", True) else None


def can(user: Any, permission: str) -> bool:
    """Whether ``user`` (a user, None or Flask-Login's anonymous user) holds ``permission``:
    an entity's ``<key>.<action>`` (``"complaints.complaint.edit"``) or one a plugin declared
    through ``register_permissions``. Roles grant permissions by pattern (``complaints.*``)."""
    from crmkit.core.access.policy import user_can

    return user is not None and user_can(user, permission)


def require(user: Any, *permissions: str) -> None:
    """Raise ``PermissionDenied`` unless ``user`` holds every one of ``permissions``."""
    for permission in permissions:
        if not can(user, permission):
            raise PermissionDenied(permission)


# Jobs and mail


def enqueue(name: str, *args: Any, user: Any = _jobs.CURRENT_USER, delay: float | None = None, **kwargs: Any) -> Any:
    """Queue the job ``"<plugin>.<name>"`` (declared through ``register_jobs``) with JSON-friendly
    arguments (ids, not records). It acts as ``user``: by default the logged-in user, None for
    system work. ``delay`` in seconds. Runs in ``crmkit worker``, at once with JOBS_IMMEDIATE."""
    return _jobs.enqueue(name, *args, user=user, delay=delay, **kwargs)


def enqueue_after_commit(name: str, *args: Any, user: Any = _jobs.CURRENT_USER, **kwargs: Any) -> None:
    """Queue the job once the current database transaction commits, and never if it rolls back:
    for work that must follow a change (a mail about a record just saved)."""
    _jobs.enqueue_after_commit(_db.session(), name, *args, user=user, **kwargs)


def send_mail(to: str | Iterable[str], subject: str, text: str, html: str | None = None) -> bool:
    """Send one message (plain text, with an HTML alternative when given) through the deployment's
    SMTP server. True when the server took it; False when mail is off (no CRMKIT_SMTP_HOST), so
    callers keep what they meant to send on a page instead. Raises ``MailError`` when the server
    can't be reached or refuses it: send from a job with retries, never inside a request."""
    return _mail.send(to if isinstance(to, str) else ", ".join(to), subject, text, html)


def session() -> Any:
    """The database session of the current request, command or job (SQLModel's ``Session``);
    crmkit closes it. Prefer ``Records`` for entity records, which check permissions."""
    return _db.session()


def receive_lead(incoming: Incoming) -> tuple[Any, bool]:
    """Turn what a channel received into a lead, exactly once: ``(lead, created)``.

    ``incoming`` is an ``Incoming`` (channel, who, what they want, UTM tags, the raw payload, the
    sender's id...). It runs in the current ``session()`` and does not commit: commit, then
    acknowledge. A repeat of the same ``(channel, external_id)`` returns the lead made the first
    time with ``created`` False, also when both arrive at once. See docs/leads.md.
    """
    return _intake.receive(incoming)


def lead_source_field(label: Any, **kwargs: Any) -> Any:
    """A schema field holding the id of a lead source (the admins' Leads > Sources), as the lead's
    own ``source_id`` is: forms offer a select of the sources, pages show the source's name in the
    reader's language, input naming no source is refused under the field. ``kwargs`` go to
    marshmallow's ``Integer`` (``required=True``, ``allow_none=True``...)."""
    from marshmallow import fields as _fields

    from crmkit.core.leads import sources as _sources
    from crmkit.core.pipelines.names import Labels as _Labels
    from crmkit.core.pipelines.schemas import LiveChoice as _LiveChoice
    from crmkit.i18n import lazy_gettext as _core_l

    metadata = {"label": label, "choices_labels": _Labels(_sources.source_name), "display": _sources.source_name,
                **kwargs.pop("metadata", {})}
    return _fields.Integer(strict=False, validate=_LiveChoice(_sources.source_ids, _core_l("No such source.")),
                           metadata=metadata, **kwargs)


def lead_sources() -> list[dict[str, Any]]:
    """The lead sources, active ones first in the admins' order, each as a dict: ``id``, ``key``,
    ``name`` (in the user's language), ``active`` and ``numbers`` (the phone numbers that point to
    it, as stored for call tracking: digits and ``+``). Sources are configuration, a handful of
    rows: read once per request."""
    from sqlalchemy import select as _select

    from crmkit.core.leads import sources as _sources
    from crmkit.core.leads.models import SourceMatch as _SourceMatch

    numbers: dict[int, list[str]] = {}
    rows = _db.session().execute(_select(_SourceMatch.source_id, _SourceMatch.value).where(_SourceMatch.kind == "number")
                                 .limit(_sources.LOOKUP_LIMIT))
    for source_id, value in rows:
        numbers.setdefault(source_id, []).append(value)
    every = _sources.all_sources()
    return [{"id": i, "key": every[i].key, "name": _sources.source_name(i), "active": every[i].active,
             "numbers": numbers.get(i, [])} for i in _sources.source_ids()]


def attach_file(entity_ref: EntityRef, record: Any, data: Any, filename: str, *, content_type: str | None = None,
                kind: str = "file", title: str | None = None, user: Any = None) -> Any:
    """Attach a file to a record in the current ``session()`` (you commit): ``data`` is bytes or a
    seekable binary file, read in chunks. The blob is stored before the row commits and removed if
    the transaction rolls back; the same bytes are stored once. Returns the ``Attachment`` row;
    raises ``Refused`` (``.message``, ``.status``) for a file over the size limit, a type its
    content contradicts or an image bomb. No permission is checked: check the record's first
    (see docs/files.md). ``open_blob(attachment)`` from crmkit.core.files reads it back."""
    from crmkit.core import files as _files

    return _files.attach(entity(entity_ref).key, _id(record), data, filename, content_type=content_type,
                         kind=kind, title=title, user=user)


def attachments_of(entity_ref: EntityRef, record: Any, kind: str | None = None) -> list:
    """A record's attachments in their order (of one ``kind``: ``file``, ``photo``, ``document``),
    each with ``id``, ``original_name``, ``filename``, ``content_type``, ``size``, ``sha256``."""
    from crmkit.core import files as _files

    return _files.attachments_of(entity(entity_ref).key, _id(record), kind)


# Inventory (docs/inventory.md): which records calls, leads and deals are about

link_items = _inventory.link_items
unlink_item = _inventory.unlink_item
items_of = _inventory.items_of
subjects_of = _inventory.subjects_of
count_subjects = _inventory.count_subjects
inventory_entities = _inventory.declared_keys


def today(user: Any = None) -> date:
    """Today's date where ``user`` is (their time zone), else in the deployment's
    (CRMKIT_DEFAULT_TIMEZONE): what deadlines and due dates are compared with."""
    zone = getattr(user, "timezone", None) or current_app.config.get("DEFAULT_TIMEZONE") or "UTC"
    return datetime.now(ZoneInfo(zone)).date()


def audit(action: str, *, user: Any = None, commit: bool = True, **details: Any) -> Any:
    """Write an entry in the admins' audit log (``/admin/audit/``): ``action`` is ``export``,
    ``import`` or ``<plugin>.<what>``; ``details`` are JSON-safe facts, never secrets. The acting
    user (default: the logged-in one) and the client's address are filled in. ``commit=False``
    leaves the commit to your transaction, so the entry and the change it tells of are saved together."""
    return _audit.record(action, user=user, commit=commit, **details)


def hooks() -> Any:
    """The running app's hooks, to call those a plugin offers (``register_hookspecs``):
    ``api.hooks().hello_greeting(name="Dana")`` returns every implementation's answer in a list."""
    return current_app.extensions["crmkit"].pm.hook


def phone_e164(number: str) -> str:
    """``number`` in E.164 (``+77011234567``), read in the deployment's default region as the
    caller lookup reads it: one key for "8 701 123 45 67" and "+7 701 1234567". Raises
    ``ValueError`` (with a message) for text that is not a phone number."""
    from crmkit.core.contacts import phones as _phones

    return _phones.normalize(number or "", _phones.default_region())


def caller_lookup(user: Any, number: str) -> Any:
    """Who is calling from ``number``, as ``user`` may see it: the caller lookup of ``/lookup`` and
    ``/api/v1/lookup``. Returns its ``Lookup``: ``phone`` (E.164), ``display``, ``country``,
    ``more`` and ``matches``, each with ``entity``, ``record``, ``phones``, ``organization`` (a
    person's, if seen), ``owner``, the last ``activities`` (each ``.activity`` and ``.owner``) and
    the ``extras`` plugins add through ``caller_lookup``. Raises ``ValueError`` (with a message)
    for text that is not a phone number."""
    from crmkit.core.lookup import service as _lookup

    return _lookup.lookup(user, _lookup.parse(number))


def phone_holders(number: str) -> list[tuple[str, int]]:
    """``(entity key, record id)`` of every person and organisation holding ``number``, which is
    read like the caller lookup reads it (E.164, or local in the deployment's default region):
    what a telephony or SMS plugin matches a caller with, as the system, without a user's
    visibility. Raises ``ValueError`` (with a message) for text that is not a phone number."""
    from crmkit.core.contacts import channels as _channels

    return [(key, record_id) for key, record_id, _value in _channels.owners_of(_db.session(), "phone", [phone_e164(number)])]


# Working time (the instance's work calendar, docs/worktime.md)


def add_working_minutes(start: datetime, minutes: float) -> datetime:
    """The moment ``minutes`` of working time after the aware datetime ``start``, in UTC, by the
    instance's work calendar (hours per weekday, holidays): 30 from Friday 17:45 is Monday 09:15;
    0 gives ``start``. Raises ``ValueError`` for a naive datetime or negative minutes."""
    return _worktime.add_working_minutes(start, minutes)


def add_working_days(start: datetime, days: int) -> datetime:
    """The same clock time ``days`` working days after the aware datetime ``start`` (before it when
    negative), in UTC: Friday + 1 and Saturday + 1 are both Monday; 0 keeps a working day and
    moves a day off to the next working day. "Due in 3 working days" is ``add_working_days(now, 3)``."""
    return _worktime.add_working_days(start, days)


def working_seconds_between(a: datetime, b: datetime) -> int:
    """Whole seconds of working time between two aware datetimes; negative when ``b`` is earlier."""
    return _worktime.working_seconds_between(a, b)


def is_working_time(moment: datetime) -> bool:
    """Whether the aware datetime ``moment`` falls within working hours on a working day."""
    return _worktime.is_working_time(moment)
