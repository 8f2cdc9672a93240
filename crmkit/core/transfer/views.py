"""Import and export pages, usable without JavaScript.

Import: upload -> map columns -> dry run (every bad row listed) -> run -> result with counts.
The uploaded file is kept in the instance folder under its SHA-256, the job row remembers the
rest, so each step is a plain link or form post. Export streams the list as the user sees it.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user

from crmkit import audit, db
from crmkit.core.transfer import exporter, mapping, reading
from crmkit.core.transfer.importer import Importer
from crmkit.core.transfer.models import MODES, ImportJob
from crmkit.entities.listing import ListError
from crmkit.entities.service import Records
from crmkit.i18n import gettext as _

bp = Blueprint("transfer", __name__, url_prefix="/transfer", template_folder="templates")
LIST_ARGS = ("after", "before", "limit", "view", "archived", "format", "applied", "columns", "q", "sort")


def records_for(entity_key: str, action: str) -> Records:
    entities = current_app.extensions["crmkit"].entities
    if entity_key not in entities:
        abort(404)
    records = Records(entities.get(entity_key), current_user)
    if not (records.can(action) and records.can("view")):
        abort(403)
    return records


def upload_folder() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_upload(storage) -> tuple[Path, str] | None:
    """Write the upload to the instance folder under its hash; None when it is too big."""
    limit = current_app.config.get("IMPORT_MAX_BYTES", 100 << 20)
    digest, size = hashlib.sha256(), 0
    partial = upload_folder() / f"upload-{os.getpid()}-{id(storage)}.part"
    with open(partial, "wb") as out:
        for block in iter(lambda: storage.stream.read(1 << 20), b""):
            size += len(block)
            if size > limit:
                out.close()
                partial.unlink()
                return None
            digest.update(block)
            out.write(block)
    path = upload_folder() / digest.hexdigest()
    os.replace(partial, path)
    return path, digest.hexdigest()


def job_of(job_id: int) -> tuple[ImportJob, Records]:
    job = db.session().get(ImportJob, job_id)
    if job is None or job.user_id != current_user.id:
        abort(404)
    return job, records_for(job.entity, "import")


def table_of(job: ImportJob) -> reading.Table:
    try:
        return reading.open_table(upload_folder() / job.file_hash)
    except (OSError, reading.FileError):
        abort(410)


@bp.route("/<entity_key>/import", methods=["GET", "POST"])
def upload(entity_key):
    records = records_for(entity_key, "import")
    if request.method == "POST":
        storage = request.files.get("file")
        if storage is None or not storage.filename:
            flash(_("Choose a CSV or XLSX file."), "error")
            return render_template("transfer/upload.html", entity=records.entity, modes=MODES), 400
        saved = save_upload(storage)
        if saved is None:
            flash(_("The file is too big."), "error")
            return render_template("transfer/upload.html", entity=records.entity, modes=MODES), 413
        path, digest = saved
        try:
            table = reading.open_table(path)
        except reading.FileError:
            path.unlink(missing_ok=True)
            flash(_("This file can't be read as a table: use CSV or XLSX with a header row."), "error")
            return render_template("transfer/upload.html", entity=records.entity, modes=MODES), 400
        mode = request.form.get("mode") if request.form.get("mode") in MODES else "skip"
        job = ImportJob(
            entity=records.entity.key,
            file_name=storage.filename[:255],
            file_hash=digest,
            mapping=mapping.automap(records.entity, table.columns),
            mode=mode,
            user_id=current_user.id,
        )
        session = db.session()
        session.add(job)
        session.commit()
        return redirect(url_for("transfer.columns", job_id=job.id))
    return render_template("transfer/upload.html", entity=records.entity, modes=MODES)


@bp.route("/import/<int:job_id>", methods=["GET", "POST"])
def columns(job_id):
    job, records = job_of(job_id)
    table = table_of(job)
    if request.method == "POST" and job.status == "new":
        chosen = {str(i): request.form.get(f"column-{i}", "") for i in range(len(table.columns))}
        job.mapping = mapping.clean(records.entity, table.columns, {k: v for k, v in chosen.items() if v})
        job.mode = request.form.get("mode") if request.form.get("mode") in MODES else job.mode
        session = db.session()
        session.add(job)
        session.commit()
        return redirect(url_for("transfer.check", job_id=job.id))
    fields = [(name, records.entity.field_label(name)) for name in mapping.importable_fields(records.entity)]
    return render_template("transfer/mapping.html", entity=records.entity, job=job, columns=table.columns, fields=fields, modes=MODES)


@bp.route("/import/<int:job_id>/check")
def check(job_id):
    job, records = job_of(job_id)
    if not job.mapping:
        flash(_("Map at least one column to a field."), "error")
        return redirect(url_for("transfer.columns", job_id=job.id))
    outcome = Importer(records.entity, current_user, db.session(), job.mapping, job.mode).run(table_of(job).rows(), dry_run=True)
    return render_template("transfer/check.html", entity=records.entity, job=job, outcome=outcome, columns=table_of(job).columns)


@bp.route("/import/<int:job_id>/run", methods=["POST"])
def run(job_id):
    job, records = job_of(job_id)
    if job.status != "done" and job.mapping:
        session = db.session()
        table = table_of(job)
        job.status, job.rows_total = "running", table.count()
        session.add(job)
        session.commit()
        outcome = Importer(records.entity, current_user, session, job.mapping, job.mode).run(table.rows(), job=job)
        audit.record("import", entity=job.entity, file=job.file_name, job=job.id, created=outcome.created,
                     updated=outcome.updated, skipped=outcome.skipped, bad=outcome.bad)
    return redirect(url_for("transfer.result", job_id=job.id))


@bp.route("/import/<int:job_id>/result")
def result(job_id):
    job, records = job_of(job_id)
    return render_template("transfer/result.html", entity=records.entity, job=job)


@bp.route("/<entity_key>/export")
def export(entity_key):
    records = records_for(entity_key, "export")
    filters = {k: v for k, v in request.args.items() if k not in LIST_ARGS and v != ""}
    sort, archived = request.args.get("sort", ""), request.args.get("archived") == "1"
    name = records.entity.key.replace(".", "-")
    audit.record("export", entity=records.entity.key, format=request.args.get("format", "csv"), filters=filters, sort=sort)
    try:
        if request.args.get("format") == "xlsx":
            data = exporter.xlsx_file(records, filters, sort, archived)
            return Response(
                iter(lambda: data.read(1 << 16), b""),
                mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
            )
        chunks = exporter.csv_chunks(records, filters, sort, archived)
        first = next(chunks)  # a bad filter fails here, before the answer has started
    except ListError as error:
        flash(_("This list can't be exported that way: %(problem)s", problem=str(error)), "error")
        return redirect(url_for(f"records.{records.entity.endpoint_prefix}_list"))

    def body():
        yield first
        yield from chunks

    return Response(
        stream_with_context(db.streaming(body())),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )
