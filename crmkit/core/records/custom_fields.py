"""Admin-defined custom fields: rows of ``core_custom_field`` turned into a marshmallow schema.

The schema is built on each request from the table, so a field an admin adds is on every form,
page and API answer at once, without code or a restart. Values are light extension fields kept in
``extra["custom"]`` (see crmkit.entities.extensions). Filtering on them reads the JSON column,
which no index covers: the database scans the rows the user can see, so keep such filters to
lists of moderate size, or move a field people filter on often into a plugin's typed table.
"""

from __future__ import annotations

import re

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from crmkit import db
from crmkit.core.access.policy import requiring
from crmkit.core.records.models import FIELD_TYPES, CustomField
from crmkit.entities.extensions import Unregistered
from crmkit.entities.linking import USER
from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_gettext as _l

TYPE_LABELS = {
    "text": _l("Text"),
    "number": _l("Number"),
    "money": _l("Money"),
    "date": _l("Date"),
    "choice": _l("Choice"),
    "boolean": _l("Yes or no"),
    "link": _l("Link to a record"),
    "user": _l("User"),
}
NAME = re.compile(r"^[a-z][a-z0-9_]{0,59}$")


def fields_of(session, entity_key: str) -> list[CustomField]:
    statement = select(CustomField).where(CustomField.entity == entity_key)
    return list(session.execute(statement.order_by(CustomField.position, CustomField.id)).scalars())


def schema_field(row: CustomField) -> fields.Field:
    options = {"required": row.required, "allow_none": not row.required, "metadata": {"label": row.label}}
    if row.type == "number":
        return fields.Float(**options)
    if row.type == "money":
        return fields.Decimal(places=2, validate=validate.Range(min=0), **options)
    if row.type == "date":
        return fields.Date(**options)
    if row.type == "boolean":
        return fields.Boolean(**{**options, "allow_none": True})
    if row.type == "choice":
        return fields.String(validate=validate.OneOf(row.choices), **options)
    if row.type == "user":
        options["metadata"]["link"] = USER
        return fields.Integer(validate=validate.Range(min=1), **options)
    if row.type == "link":
        options["metadata"]["link"] = row.link
        return fields.Integer(validate=validate.Range(min=1), **options)
    return fields.String(validate=validate.Length(max=500), **options)


def schema_for(session, entity_key: str) -> type[Schema] | None:
    """The schema of an entity's custom fields, or None when it has none; cached per request."""
    cache = g.setdefault("crmkit_custom_schemas", {})
    if entity_key not in cache:
        rows = fields_of(session, entity_key)
        cache[entity_key] = Unregistered.from_dict({r.name: schema_field(r) for r in rows}, name="CustomFields") if rows else None
    return cache[entity_key]


bp = Blueprint("custom_fields", __name__, url_prefix="/admin/fields", template_folder="templates")


bp.before_request(requiring("core.customize"))


def entities():
    return current_app.extensions["crmkit"].entities


@bp.route("/")
def index():
    session = db.session()
    rows = list(session.execute(select(CustomField).order_by(CustomField.entity, CustomField.position)).scalars())
    return render_template(
        "records/custom_fields.html", rows=rows, entities=list(entities()), types=TYPE_LABELS, form=request.form, errors={}
    )


@bp.route("/", methods=["POST"])
def create():
    form, errors = request.form, {}
    entity_key, name, kind = form.get("entity", ""), form.get("name", "").strip(), form.get("type", "")
    label = form.get("label", "").strip()
    choices = [c.strip() for c in form.get("choices", "").split(",") if c.strip()]
    session = db.session()
    if entity_key not in entities():
        errors["entity"] = _("Choose an entity.")
    elif not NAME.match(name):
        errors["name"] = _("Use lower-case Latin letters, digits and underscores, starting with a letter.")
    elif name in entities().get(entity_key).schema._declared_fields or any(f.name == name for f in fields_of(session, entity_key)):
        errors["name"] = _("This entity already has a field with that name.")
    if not label:
        errors["label"] = _("Give the field a label.")
    if kind not in FIELD_TYPES:
        errors["type"] = _("Choose a type.")
    elif kind == "choice" and not choices:
        errors["choices"] = _("List the choices, separated by commas.")
    elif kind == "link" and form.get("link") not in entities():
        errors["link"] = _("Choose the entity the field links to.")
    if errors:
        rows = list(session.execute(select(CustomField).order_by(CustomField.entity, CustomField.position)).scalars())
        page = render_template(
            "records/custom_fields.html", rows=rows, entities=list(entities()), types=TYPE_LABELS, form=form, errors=errors
        )
        return page, 422
    position = len(fields_of(session, entity_key))
    session.add(
        CustomField(
            entity=entity_key,
            name=name,
            label=label,
            type=kind,
            choices=choices if kind == "choice" else [],
            link=form.get("link") if kind == "link" else None,
            required="required" in form,
            position=position,
        )
    )
    session.commit()
    flash(_("Field %(label)s added.", label=label), "success")
    return redirect(url_for("custom_fields.index"))


@bp.route("/<int:field_id>/delete", methods=["POST"])
def delete(field_id: int):
    """Remove the field from forms and pages; values already stored stay in the records."""
    session = db.session()
    row = session.get(CustomField, field_id)
    if row is None:
        abort(404)
    session.delete(row)
    session.commit()
    flash(_("Field %(label)s removed; stored values are kept.", label=row.label), "success")
    return redirect(url_for("custom_fields.index"))
