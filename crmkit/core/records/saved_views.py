"""Saved views of a list: its filters, sort and columns under a name, private or shared.

A view is applied by redirecting to the list with its arguments, so a saved view and a link
someone copied from the address bar show exactly the same thing. Shared views are offered to
everyone who can view the entity; each person deletes only their own.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from marshmallow import fields
from sqlalchemy import or_, select

from crmkit.core.auth.models import User
from crmkit.core.records.models import SavedView
from crmkit.entities import extensions
from crmkit.entities.declaration import EntityType
from crmkit.entities.errors import RecordError
from crmkit.entities.service import Records
from crmkit.i18n import gettext as _
from crmkit.redirects import local_url

KEPT_ARGS = {"sort", "limit", "archived"}  # besides filters; cursors are never saved


OWNER = "owner_id"


def column_choices(entity: EntityType) -> list[str]:
    """The fields a list can show as columns, in the form's order: the entity's own table columns
    but mappings (a person's phones as typed: bookkeeping no cell shows), the columns its schema
    computes per page (``computed_columns``), and every record's owner."""
    table_columns = entity.model.__table__.c
    computed = getattr(entity.schema, "computed_columns", {})
    own = [name for name, field in entity.schema._declared_fields.items()
           if (name in table_columns and not isinstance(field, fields.Dict)) or name in computed]
    return [*own, *(name for name in computed if name not in own), OWNER]


def columns_of(entity: EntityType, args) -> list[str]:
    """The list's columns: ``?columns=a,b`` when each names a field of the entity, else the
    declared ones and the owner."""
    allowed = set(column_choices(entity))
    asked = [c for c in args.get("columns", "").split(",") if c in allowed]
    return asked or [*entity.list_columns, *([] if OWNER in entity.list_columns else [OWNER])]


def visible(records: Records) -> list[SavedView]:
    """The views of this entity the user may apply: their own and shared ones."""
    if not records.can("view"):
        return []
    statement = select(SavedView).where(
        SavedView.entity == records.entity.key, or_(SavedView.user_id == records.user.id, SavedView.shared.is_(True))
    )
    return list(records.db.execute(statement.order_by(SavedView.name, SavedView.id)).scalars())


def assignable_users(records: Records) -> list:
    """Who a list's records can be handed to: active users' id, name and email (rows, not users:
    every list page of an editor shows them)."""
    statement = select(User.id, User.name, User.email).where(User.is_active.is_(True)).order_by(User.name, User.email)
    return list(records.db.execute(statement))


def _records(entity_key: str) -> Records:
    from crmkit.core.records.views import records_of

    records = records_of(entity_key)
    if not records.can("view"):
        abort(403)
    return records


def _list_url(entity: EntityType, **args):
    return url_for(f"records.{entity.endpoint_prefix}_list", **args)


def apply(records: Records, view_id: int):
    view = next((v for v in visible(records) if v.id == view_id), None)
    if view is None:
        abort(404)
    args = dict(view.query)
    if view.columns:
        args["columns"] = ",".join(view.columns)
    return redirect(_list_url(records.entity, view=view.id, applied=1, **args))


def save(entity_key: str):
    """Save the list's current arguments, sent along with the form, as a view."""
    try:
        records = _records(entity_key)
    except RecordError as error:
        abort(error.status)
    entity = records.entity
    name = request.form.get("name", "").strip()[:100]
    if not name:
        flash(_("Give the view a name."), "error")
        return redirect(local_url(request.referrer, _list_url(entity)))
    reserved = {"after", "before", "view", "applied", "columns", "csrf_token", "name", "shared", "column"}
    query = {
        k[2:]: v for k, v in request.form.items() if k.startswith("q_") and k[2:] not in reserved and v != ""
    }
    parts = records.extension_groups()
    query = {
        k: v
        for k, v in query.items()
        if k in KEPT_ARGS or k.partition("__")[0] in entity.filters or extensions.field_label(parts, k) is not None
    }
    allowed = set(columns_of(entity, {"columns": ",".join(request.form.getlist("column"))}))
    columns = [c for c in request.form.getlist("column") if c in allowed]
    view = SavedView(
        entity=entity.key, name=name, user_id=current_user.id, shared="shared" in request.form, query=query, columns=columns
    )
    records.db.add(view)
    records.db.commit()
    flash(_("View %(name)s saved.", name=name), "success")
    return redirect(_list_url(entity, view=view.id))


def delete(entity_key: str, view_id: int):
    records = _records(entity_key)
    view = records.db.get(SavedView, view_id)
    if view is None or view.entity != records.entity.key or view.user_id != current_user.id:
        abort(404)
    records.db.delete(view)
    records.db.commit()
    flash(_("View %(name)s deleted.", name=view.name), "success")
    return redirect(_list_url(records.entity))
