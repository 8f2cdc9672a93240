"""The pages of attachments: upload (several files, a plain form or XHR with progress), download,
thumbnails, the viewer, ordering and deleting. Each checks the record's permission first
(``access``); every form carries a CSRF token and works without JavaScript."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from crmkit import db
from crmkit.core.files import access, delivery, ordering, thumbs
from crmkit.core.files.checks import Refused
from crmkit.core.files.models import Attachment
from crmkit.core.files.panel import human_size
from crmkit.core.files.service import detach, too_large_upload
from crmkit.core.files.uploads import limit_request, receive
from crmkit.errors import wants_json
from crmkit.i18n import gettext as _

bp = Blueprint("files", __name__, url_prefix="/files", template_folder="templates",
               static_folder="static", static_url_path="/static")


@bp.url_value_preprocessor
def upload_limit(endpoint, _values):
    """Set the upload's size limit before anything (the CSRF check) reads the form."""
    if endpoint == "files.upload":
        limit_request()


@bp.errorhandler(RequestEntityTooLarge)
def request_too_large(_error):
    """A body over the limit, refused before it is read (by the CSRF check or the upload)."""
    values = request.view_args or {}
    return refused(too_large_upload(), 413, values.get("entity_key", ""), values.get("record_id", 0))


def record_page(entity_key: str, record_id: int) -> str:
    records = access.records_for(entity_key)
    return url_for(f"records.{records.entity.endpoint_prefix}_detail", record_id=record_id, _anchor="attachments")


def refused(message: str, status: int, entity_key: str, record_id: int):
    if wants_json():
        return jsonify(error={"code": status, "message": message, "fields": {"files": [message]}}), status
    try:
        back = record_page(entity_key, record_id)
    except HTTPException:
        back = "/"
    return render_template("files/refused.html", message=message, back=back), status


@bp.post("/<entity_key>/<int:record_id>/upload")
@login_required
def upload(entity_key: str, record_id: int):
    records, record = access.record_or_abort(entity_key, record_id, edit=True)
    try:
        files = request.files.getlist("files")
        made = receive(records.entity, record.id, files, current_user, request.form.get("kind") or "file")
    except RequestEntityTooLarge:
        message = too_large_upload()
        return refused(message, 413, entity_key, record_id)
    except Refused as error:
        return refused(error.message, error.status, entity_key, record_id)
    if wants_json():
        return jsonify(items=[{"id": a.id, "name": a.original_name} for a in made]), 201
    flash(_("Files attached: %(n)d.", n=len(made)))
    return redirect(record_page(entity_key, record_id), code=303)


@bp.get("/<int:attachment_id>/download")
@login_required
def download(attachment_id: int):
    attachment, _records, _record = access.attachment_or_abort(attachment_id)
    return delivery.download(attachment, inline=request.args.get("inline") == "1")


@bp.get("/<int:attachment_id>/thumb/<int:size>")
@login_required
def thumb(attachment_id: int, size: int):
    attachment, _records, _record = access.attachment_or_abort(attachment_id)
    made = thumbs.thumbnail(attachment, size)
    if made is None:
        abort(404)
    response = Response(made, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


@bp.get("/<int:attachment_id>")
@login_required
def view(attachment_id: int):
    """The viewer as a page of its own: the picture (or the file's details), previous and next."""
    attachment, records, record = access.attachment_or_abort(attachment_id)
    siblings = list(db.session().execute(
        select(Attachment.id).where(Attachment.entity == attachment.entity, Attachment.record_id == attachment.record_id,
                                    Attachment.kind == attachment.kind)
        .order_by(Attachment.position, Attachment.id).limit(1000)).scalars())
    index = siblings.index(attachment.id)
    return render_template(
        "files/viewer.html", attachment=attachment, record=record, entity=records.entity,
        back=record_page(attachment.entity, attachment.record_id),
        previous=siblings[index - 1] if index > 0 else None,
        next=siblings[index + 1] if index + 1 < len(siblings) else None,
        number=index + 1, total=len(siblings), human_size=human_size)


@bp.post("/<int:attachment_id>/move")
@login_required
def move(attachment_id: int):
    attachment, _records, _record = access.attachment_or_abort(attachment_id, edit=True)
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400)
    ordering.move(db.session(), attachment, -1 if direction == "up" else 1)
    db.session().commit()
    if wants_json():
        return jsonify(ok=True)
    return redirect(record_page(attachment.entity, attachment.record_id), code=303)


@bp.post("/<entity_key>/<int:record_id>/order")
@login_required
def order(entity_key: str, record_id: int):
    """Set the order of a record's files of one kind (the ids in their new order, as dragged)."""
    records, record = access.record_or_abort(entity_key, record_id, edit=True)
    raw = request.form.get("ids") or ""
    try:
        ids = [int(part) for part in raw.split(",") if part.strip()]
    except ValueError:
        abort(400)
    if not ordering.arrange(db.session(), records.entity.key, record.id, request.form.get("kind") or "file", ids):
        abort(400)
    db.session().commit()
    if wants_json():
        return jsonify(ok=True)
    return redirect(record_page(entity_key, record_id), code=303)


@bp.post("/<int:attachment_id>/delete")
@login_required
def delete(attachment_id: int):
    attachment, _records, _record = access.attachment_or_abort(attachment_id, edit=True)
    entity_key, record_id, name = attachment.entity, attachment.record_id, attachment.original_name
    detach(attachment, user=current_user)
    db.session().commit()
    flash(_("“%(name)s” deleted.", name=name))
    return redirect(record_page(entity_key, record_id), code=303)
