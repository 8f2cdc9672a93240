"""The audit log's public API: ``crmkit.audit.record("export", entity="contact", rows=120)``.

Call it from a request, a command or a job: the acting user (the logged-in one unless ``user``
is given) and the client's IP address are filled in. The entry is added to the current database
session and committed with whatever the caller has pending; pass ``commit=False`` to make it part
of a transaction you commit yourself, so the entry and the change it describes land together.
How the log names an action and words its details comes from ``AuditAction`` declarations
(``register_audit_actions``; the core's in crmkit.core.audit.actions).
"""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from flask_login import current_user
from sqlmodel import Session

from crmkit import db
from crmkit.core.audit.models import AUDIT_ACTIONS, AuditEntry
from crmkit.entities.history import plain
from crmkit.types import AuditAction

__all__ = ["AUDIT_ACTIONS", "AuditAction", "AuditEntry", "record"]


def record(action: str, *, user: Any = None, commit: bool = True, session: Session | None = None, **detail: Any) -> AuditEntry:
    """Write one audit entry.

    :param action: one of ``AUDIT_ACTIONS``, or ``<plugin>.<what>`` for a plugin's own (declare it
        with ``register_audit_actions`` so admins read it in their language).
    :param user: who acted (a user or a user id); default: the logged-in user, if any.
    :param commit: commit the session now (default) or leave it to the caller.
    :param session: the database session to write with; default: the current one.
    :param detail: JSON-safe facts about the event (an entity key, a row count, changed fields).
    :return: the entry written.
    """
    if user is None and has_request_context() and current_user and current_user.is_authenticated:
        user = current_user
    user_id = user if isinstance(user, int) or user is None else user.id
    ip = request.remote_addr if has_request_context() else None
    entry = AuditEntry(action=action, user_id=user_id, ip=ip, detail=plain(detail))
    session = session or db.session()
    session.add(entry)
    if commit:
        session.commit()
    return entry
