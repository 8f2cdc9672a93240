"""The pages every entity gets: list, detail, create, edit, archive and restore.

One set of view functions serves every entity; the URL rules are made per entity when the app
starts, ``/<entity path>/...``, with the entity's key passed as a default argument.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from crmkit.core.records import cells, links, phone_actions, picker, saved_views, states
from crmkit.entities import extensions, forms, listing
from crmkit.entities.declaration import EntityType
from crmkit.entities.service import Conflict, Invalid, RecordError, Records
from crmkit.i18n import gettext as _
from crmkit.validation import field_messages


def entity_of(key: str) -> EntityType:
    return current_app.extensions["crmkit"].entities.get(key)


def records_of(key: str) -> Records:
    return Records(entity_of(key), current_user)


def fail(error: RecordError):
    abort(error.status)


def list_view(entity_key: str):
    records = records_of(entity_key)
    entity = records.entity
    if request.args.get("view", "").isdigit() and "applied" not in request.args:
        return saved_views.apply(records, int(request.args["view"]))
    archived = request.args.get("archived") == "1"
    try:
        query = listing.ListQuery.from_args(request.args, entity)
        page = listing.run(records.db, records.select(include_archived=archived), entity, query, records.extension_groups())
    except listing.ListError as error:
        flash(_("This list can't be shown that way: %(problem)s", problem=str(error)), "error")
        return redirect(url_for(f"records.{entity.endpoint_prefix}_list"))
    except RecordError as error:
        fail(error)
    columns = saved_views.columns_of(entity, request.args)
    return render_template(
        "records/list.html",
        entity=entity,
        records=records,
        page=page,
        query=query,
        archived=archived,
        filter_fields=forms.build(entity, request.args, {}, only=(*entity.filters, forms.OWNER)),
        columns=columns,
        headers=[forms.column_label(entity, column) for column in columns],
        rows=cells.table_rows(entity, page.items, columns, links.link_titles(entity, page.items, columns)),
        views=saved_views.visible(records),
        column_choices=saved_views.column_choices(entity),
        current_view=request.args.get("view", type=int),
        owners=saved_views.assignable_users(records) if records.can("edit") else [],
        list_actions=list_actions(entity),
    )


PAGING_ARGS = ("after", "before", "limit", "applied", "columns", "view")


def list_actions(entity: EntityType) -> list:
    """Links other plugins add to the list page (entity_list_actions), given the list's filters."""
    pm = current_app.extensions["crmkit"].pm
    args = {k: v for k, v in request.args.items() if k not in PAGING_ARGS}
    found = pm.hook.entity_list_actions(entity=entity, user=current_user, args=args)
    return sorted((a for actions in found for a in actions or []), key=lambda a: a.order)


def detail_view(entity_key: str, record_id: int):
    records = records_of(entity_key)
    try:
        record = records.get(record_id)
    except RecordError as error:
        fail(error)
    pm = current_app.extensions["crmkit"].pm
    hooks_args = {"entity": records.entity, "record": record, "user": current_user}
    parts = records.extension_groups()
    values = extensions.flatten(records.values_of(record), parts)
    linked = links.by_id(links.link_titles(records.entity, [record], [*records.entity.schema._declared_fields, forms.OWNER]))
    groups = forms.build_groups(parts, values, {}, read_only=True)
    history = records.history(record)
    return render_template(
        "records/detail.html",
        entity=records.entity,
        record=record,
        records=records,
        fields=forms.build(records.entity, values, {}, read_only=True),
        groups=groups,
        group_titles=links.group_titles(groups),
        history_value=links.history_values(records.entity, parts, history),
        linked=linked,
        cell=lambda name: cells.column_renderer(records.entity, name, linked.get(name))(getattr(record, name, None)),
        label_of=label_function(records.entity, parts),
        empty_fields=empty_fields,
        entities_by_key={e.key: e for e in current_app.extensions["crmkit"].entities},
        history=history,
        panels=sorted((p for found in pm.hook.entity_panels(**hooks_args) for p in found or []), key=lambda p: p.order),
        actions=sorted((a for found in pm.hook.entity_actions(**hooks_args) for a in found or []), key=lambda a: a.order),
        phone_fields=phone_actions.phone_fields(records.entity),
        phone_actions=phone_actions.actions(**hooks_args),
        phone_numbers=phone_actions.numbers,
    )


def form_view(entity_key: str, record_id: int | None = None):
    records = records_of(entity_key)
    entity = records.entity
    try:
        records.require("edit" if record_id else "create")
        record = records.get(record_id) if record_id else None
    except RecordError as error:
        fail(error)
    parts = records.extension_groups()
    values = extensions.flatten(records.values_of(record), parts) if record else prefilled(entity, parts)
    errors: dict = {}
    conflict = None
    status = 200
    warnings: list = []
    if request.method == "POST" and request.form.get("change_form"):  # another kind chosen without scripts
        values = {**values, **extensions.flatten(forms.parse(entity, request.form, parts, keep_hidden=True), parts)}
    elif request.method == "POST":
        data = forms.parse(entity, request.form, parts)
        try:
            if request.form.get("confirm_warnings") != "1":
                warnings = record_warnings(records, data, record)
            if warnings:  # shown with a "Save anyway" button; nothing saved yet
                values = {**values, **extensions.flatten(data, parts)}
            elif record is None:
                record = records.create(data)
                flash(_("%(entity)s created.", entity=entity.label), "success")
            else:
                records.update(record, data, version=int(request.form.get("version", "0") or 0))
                flash(_("Changes saved."), "success")
            if not warnings:
                return redirect(url_for(f"records.{entity.endpoint_prefix}_detail", record_id=record.id))
        except Invalid as error:
            values, errors, status = {**values, **extensions.flatten(data, parts)}, field_messages(error.fields), 422
        except Conflict as error:
            values, conflict, status = {**values, **extensions.flatten(data, parts)}, error.current, 409
        except RecordError as error:
            fail(error)
    saved = extensions.flatten(records.values_of(conflict), parts) if conflict else {}
    form_fields = forms.build(entity, values, errors)
    states.offer_moves(entity, records.db, record, values, form_fields)
    links.fill_choices(form_fields)
    return render_template(
        "records/form.html",
        entity=entity,
        record=record,
        fields=form_fields,
        groups=forms.build_groups(parts, values, errors),
        controllers=forms.controlling(form_fields),
        version=conflict.version if conflict else (record.version if record else None),
        conflict=all_fields(entity, parts, saved) if conflict else None,
        mine=all_fields(entity, parts, values),
        warnings=warnings,
    ), status


def record_warnings(records: Records, data: dict, record) -> list:
    """What plugins say valid input looks like (a likely duplicate), before it is saved."""
    values = records.validate(data, partial=record is not None, record=record)
    pm = current_app.extensions["crmkit"].pm
    found = pm.hook.record_warnings(entity=records.entity, values=values, record=record, user=records.user)
    return [warning for each in found for warning in each or []]


def empty_fields(record, fields) -> list[str]:
    """Fields a record's page leaves out: nothing typed (an empty list too), or an unticked box
    (shown on the form)."""
    values = {f.name: getattr(record, f.name, None) for f in fields}
    return [name for name, value in values.items() if value is None or value is False or value in ("", [])]


def prefilled(entity: EntityType, parts=()) -> dict:
    """A new record's form may be opened with values (``/person/new?organization_id=5``, an
    extension group's by dotted name: ``/activity/new?inventory.items=RE-000012``); the fields it
    leaves out take their ``metadata["form_default"]`` (a function: now, a kind)."""
    declared = entity.schema._declared_fields
    given = {name: value for name, value in request.args.items() if name in declared and not declared[name].dump_only}
    given.update({f"{part.namespace}.{name}": request.args[f"{part.namespace}.{name}"] for part in parts
                  for name, field in part.schema._declared_fields.items()
                  if f"{part.namespace}.{name}" in request.args and not field.dump_only})
    defaults = {name: field.metadata["form_default"]() for name, field in declared.items()
                if name not in given and callable(field.metadata.get("form_default"))}
    return {**defaults, **given}


def all_fields(entity: EntityType, parts, values: dict) -> list:
    """The entity's fields then every extension group's, for the side-by-side conflict table."""
    return forms.build(entity, values, {}) + [f for group in forms.build_groups(parts, values, {}) for f in group.fields]


def label_function(entity: EntityType, parts):
    """Labels for history keys, dotted extension keys included."""
    return lambda key: extensions.field_label(parts, key) or entity.field_label(key)


def archive_view(entity_key: str, record_id: int):
    records = records_of(entity_key)
    entity = records.entity
    try:
        record = records.get(record_id)
        if request.form.get("action") == "restore":
            records.restore(record)
            flash(_("Restored."), "success")
        else:
            records.archive(record, version=int(request.form.get("version", "0") or 0) or None)
            flash(_("Archived. You can restore it from the archive."), "success")
    except Conflict:
        flash(_("Someone changed this record in the meantime; look at the new version and try again."), "error")
    except RecordError as error:
        fail(error)
    return redirect(url_for(f"records.{entity.endpoint_prefix}_detail", record_id=record_id))


def bulk_view(entity_key: str):
    """Archive, restore or assign the ticked records of a list in one go; each is checked on its own."""
    records = records_of(entity_key)
    entity = records.entity
    action = request.form.get("action")
    ids = [int(i) for i in request.form.getlist("ids") if i.isdigit()]
    owner_id = request.form.get("owner_id", type=int)
    if action not in ("archive", "restore", "assign") or not ids or (action == "assign" and not owner_id):
        abort(400)
    done = 0
    for record_id in ids:
        try:
            record = records.get(record_id)
            if action == "assign":
                records.assign_owner(record, owner_id)
            else:
                records.archive(record) if action == "archive" else records.restore(record)
            done += 1
        except Invalid:
            abort(400)
        except RecordError as error:
            if error.status == 403:
                abort(403)
    flash(_("%(count)d records updated.", count=done), "success")
    return redirect(url_for(f"records.{entity.endpoint_prefix}_list"))


def build_blueprint(entities) -> Blueprint:
    bp = Blueprint("records", __name__, template_folder="templates", static_folder="static", static_url_path="/records-static")
    picker.add_to(bp)
    for entity in entities:
        base, name, key = f"/{entity.path}", entity.endpoint_prefix, {"entity_key": entity.key}
        bp.add_url_rule(f"{base}/", f"{name}_list", list_view, defaults=key)
        bp.add_url_rule(f"{base}/new", f"{name}_new", form_view, defaults=key, methods=["GET", "POST"])
        bp.add_url_rule(f"{base}/bulk", f"{name}_bulk", bulk_view, defaults=key, methods=["POST"])
        bp.add_url_rule(f"{base}/views", f"{name}_save_view", saved_views.save, defaults=key, methods=["POST"])
        bp.add_url_rule(
            f"{base}/views/<int:view_id>/delete", f"{name}_delete_view", saved_views.delete, defaults=key, methods=["POST"]
        )
        bp.add_url_rule(f"{base}/<int:record_id>", f"{name}_detail", detail_view, defaults=key)
        bp.add_url_rule(f"{base}/<int:record_id>/edit", f"{name}_edit", form_view, defaults=key, methods=["GET", "POST"])
        bp.add_url_rule(f"{base}/<int:record_id>/archive", f"{name}_archive", archive_view, defaults=key, methods=["POST"])
    return bp
