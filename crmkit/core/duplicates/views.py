"""The duplicates page, the merge page and undoing a merge from a record's history."""

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

from crmkit import db
from crmkit.core.duplicates import groups
from crmkit.core.duplicates.merging import (
    MERGEABLE,
    PICKS,
    MergeError,
    Merger,
    pretty_value,
)
from crmkit.core.records import links
from crmkit.entities import extensions
from crmkit.entities.declaration import EntityType
from crmkit.entities.errors import Conflict, Invalid, RecordError
from crmkit.entities.history import Change
from crmkit.entities.service import Records
from crmkit.i18n import gettext as _

bp = Blueprint("duplicates", __name__, url_prefix="/duplicates", template_folder="templates")


def entity_of(key: str | None) -> EntityType:
    if key not in MERGEABLE:
        abort(404)
    return current_app.extensions["crmkit"].entities.get(key)


def may_look(user) -> bool:
    """Who gets the page: whoever may merge, or edit people or organisations."""
    for key in MERGEABLE:
        records = Records(current_app.extensions["crmkit"].entities.get(key), user)
        if records.access.can("core.merge") or records.can("edit"):
            return True
    return False


def detail_url(entity: EntityType, record_id: int) -> str:
    return url_for(f"records.{entity.endpoint_prefix}_detail", record_id=record_id)


@bp.route("/")
def index():
    if not may_look(current_user):
        abort(403)
    entity = entity_of(request.args.get("entity", "person"))
    kind = request.args.get("kind", "phone")
    if kind not in groups.KINDS:
        abort(404)
    records = Records(entity, current_user)
    if not records.can("view"):
        abort(403)
    page = groups.find(records, kind, request.args.get("after") or None, size=groups.PAGE_SIZE)
    return render_template(
        "duplicates/index.html",
        entity=entity,
        entities=[current_app.extensions["crmkit"].entities.get(key) for key in MERGEABLE],
        kind=kind,
        page=page,
        can_merge=Merger(entity, current_user).allowed(),
        first_page=not request.args.get("after"),
    )


@bp.route("/merge", methods=["GET", "POST"])
def merge():
    entity = entity_of(request.values.get("entity"))
    keep_id, merge_id = request.values.get("keep", type=int), request.values.get("merge", type=int)
    if keep_id is None or merge_id is None:
        abort(404)
    merger = Merger(entity, current_user)
    try:
        kept, merged = merger.pair(keep_id, merge_id)
    except MergeError as error:
        flash(error.message, "error")
        return redirect(url_for("duplicates.index", entity=entity.key))
    except RecordError as error:
        abort(error.status)
    errors, status = {}, 200
    if request.method == "POST":
        picks = {c.name: request.form.get(f"pick.{c.name}", "") for c in merger.choices(kept, merged)}
        versions = (request.form.get("keep_version", type=int), request.form.get("merge_version", type=int))
        try:
            merger.merge(kept, merged, picks, *versions)
            flash(_("Merged. The other record is archived; you can undo the merge from the history."), "success")
            return redirect(detail_url(entity, kept.id))
        except (MergeError, Conflict) as error:
            kept, merged = merger.records.get(keep_id), merger.records.get(merge_id)
            flash(getattr(error, "message", None) or _("Someone changed one of these records in the meantime; check them again."), "error")
            status = 409
        except Invalid as error:
            errors, status = error.fields, 422
        except RecordError as error:
            abort(error.status)
    choices = merger.choices(kept, merged)
    titles = {}
    for choice in choices:
        if choice.field.link:
            titles.update(links.titles(choice.field.link, {choice.kept, choice.merged}))
    return render_template(
        "duplicates/merge.html",
        entity=entity,
        kept=kept,
        merged=merged,
        choices=choices,
        shown=lambda choice, value: pretty_value(choice.field, value, titles),
        picks=PICKS,
        errors=errors,
        detail_url=detail_url,
    ), status


@bp.route("/undo/<int:change_id>", methods=["POST"])
def undo(change_id: int):
    found = db.session().get(Change, change_id)
    if found is None:
        abort(404)
    entity = entity_of(found.entity)
    merger = Merger(entity, current_user)
    try:
        change = merger.merge_entry(change_id)
        _entry, conflicts = merger.undo(change)
    except MergeError as error:
        flash(error.message, "error")
        return redirect(detail_url(entity, found.record_id))
    except Invalid as error:
        problems = "; ".join(f"{name}: {' '.join(map(str, messages))}" for name, messages in error.fields.items())
        flash(_("The merge can't be undone: %(problem)s", problem=problems), "error")
        return redirect(detail_url(entity, found.record_id))
    except RecordError as error:
        abort(error.status)
    flash(_("Merge undone: both records are back."), "success")
    if conflicts:
        labels = ", ".join(str(extensions.field_label(merger.parts, n) or entity.field_label(n)) for n in conflicts)
        flash(_("Changed since the merge, so left as they are: %(fields)s.", fields=labels), "error")
    return redirect(detail_url(entity, change.record_id))
