"""Pages: the templates admins write (``/documents/templates``, permission
``documents.templates``) and making a document from a record (``/documents/make/<entity>/<id>``:
pick a template, see the preview, generate). ``/documents`` opens the archive, the framework's
list of the ``document`` entity."""

from __future__ import annotations

import io

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from jinja2 import TemplateError
from sqlalchemy import select
from sqlalchemy.orm import defer
from werkzeug.exceptions import RequestEntityTooLarge

from crmkit import api
from crmkit import db as database
from crmkit.core.access.policy import user_can
from crmkit.core.documents import defaults, generation, sandbox, word
from crmkit.core.documents.entity import KEY, LANGUAGE_LABELS, TYPE_LABELS
from crmkit.core.documents.models import DOCUMENT_TYPES, DOCX_TYPE, ENGINES, LANGUAGES, DocumentTemplate
from crmkit.core.files.checks import safe_name
from crmkit.core.files.service import human_size
from crmkit.db import MAX_ID, utcnow
from crmkit.entities.errors import RecordError
from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_gettext as _l

PERMISSION = "documents.templates"
PER_PAGE = 50
ENGINE_LABELS = {"html": _l("HTML, made into a PDF"), "docx": _l("Word file (.docx), made into a .docx")}
bp = Blueprint("documents", __name__, url_prefix="/documents", template_folder="templates")


def entities():
    return sorted((e for e in current_app.extensions["crmkit"].entities if e.key != KEY), key=lambda e: str(e.label_plural))


def template_or_404(template_id: int) -> DocumentTemplate:
    found = database.session().get(DocumentTemplate, template_id) if template_id <= MAX_ID else None
    if found is None:
        abort(404)
    return found


def require_admin() -> None:
    if not user_can(current_user, PERMISSION):
        abort(403)


@bp.get("/")
@login_required
def archive():
    return redirect(api.list_url(KEY))


@bp.get("/templates/")
@login_required
def templates():
    require_admin()
    after = request.args.get("after", type=int) or 0
    rows = list(database.session().execute(select(DocumentTemplate).where(DocumentTemplate.id > after)
                                           .options(defer(DocumentTemplate.docx), defer(DocumentTemplate.source))
                                           .order_by(DocumentTemplate.id).limit(PER_PAGE + 1)).scalars())
    return render_template("documents/templates.html", rows=rows[:PER_PAGE], types=TYPE_LABELS,
                           labels={e.key: e.label_plural for e in entities()},
                           next_after=rows[PER_PAGE - 1].id if len(rows) > PER_PAGE else None)


@bp.url_value_preprocessor
def upload_limit(endpoint, _values):
    """A Word template's size limit, set before anything (the CSRF check) reads the form."""
    if endpoint in ("documents.new_template", "documents.edit_template"):
        request.max_content_length = word.max_size() + 1024 * 1024


@bp.errorhandler(RequestEntityTooLarge)
def template_too_large(_error):
    require_admin()
    template_id = (request.view_args or {}).get("template_id")
    template = template_or_404(template_id) if template_id else None
    message = _("The file is larger than %(limit)s.", limit=human_size(word.max_size()))
    return form_page({"entity": "deal", "doc_type": "contract", "language": "ru", "engine": "docx", "source": ""},
                     {"docx": [message]}, template, 413)


def read_docx(data: dict, errors: dict, template: DocumentTemplate | None, entity) -> bytes | None:
    """The uploaded Word file, checked (None: keep the template's own, checked again)."""
    upload = request.files.get("docx")
    content = upload.stream.read(word.max_size() + 1) if upload is not None and upload.filename else None
    if content is None and (template is None or not template.docx):
        errors["docx"] = [_("Choose the Word file (.docx).")]
        return None
    problems = word.problems(content if content is not None else template.docx, entity)
    if problems:
        errors["docx"] = problems
    if content is not None:
        data["docx_name"] = safe_name(upload.filename)
    return content


def read_form(template: DocumentTemplate | None = None) -> tuple[dict, dict]:
    data = {name: (request.form.get(name) or "").strip() for name in ("name", "entity", "doc_type", "language", "engine")}
    data["source"] = request.form.get("source") or ""
    data["engine"] = data["engine"] or "html"
    errors: dict[str, list[str]] = {}
    if not data["name"] or len(data["name"]) > 200:
        errors["name"] = [_("Give the template a name of up to 200 characters.")]
    known = {e.key: e for e in entities()}
    if data["entity"] != "*" and data["entity"] not in known:
        errors["entity"] = [_("Choose the kind of record.")]
    if data["doc_type"] not in DOCUMENT_TYPES:
        errors["doc_type"] = [_("Choose the document type.")]
    if data["language"] not in LANGUAGES:
        errors["language"] = [_("Choose the language.")]
    if data["engine"] not in ENGINES:
        errors["engine"] = [_("Choose the kind of template.")]
    elif data["engine"] == "docx" and not errors:
        content = read_docx(data, errors, template, known.get(data["entity"]))
        if content is not None:
            data["docx"] = content
    elif not errors:
        problems = sandbox.validate(data["source"], known.get(data["entity"]))
        if problems:
            errors["source"] = [str(problem) for problem in problems]
    return data, errors


def form_page(data: dict, errors: dict, template: DocumentTemplate | None, status: int = 200):
    chosen = next((e for e in entities() if e.key == data.get("entity")), None)
    names = sandbox.known(chosen)
    fields = {name: sorted(found) if found is not None else [] for name, found in names.items()}
    return render_template("documents/template_form.html", data=data, errors=errors, template=template,
                           entities=entities(), types=TYPE_LABELS, languages=LANGUAGE_LABELS, fields=fields,
                           engines=ENGINE_LABELS, max_size=human_size(word.max_size()),
                           entity_labels=chosen.schema._declared_fields if chosen else {},
                           item_fields=sandbox.ITEM_FIELDS, total_fields=sandbox.TOTAL_FIELDS,
                           document_fields=sandbox.DOCUMENT_FIELDS), status


@bp.route("/templates/new", methods=["GET", "POST"])
@login_required
def new_template():
    require_admin()
    if request.method == "GET":
        return form_page({"entity": request.args.get("entity", "deal"), "doc_type": "offer", "language": "ru", "source": "",
                          "engine": request.args.get("engine", "html")}, {}, None)
    data, errors = read_form()
    if errors:
        return form_page(data, errors, None, 422)
    template = DocumentTemplate(**data)
    database.session().add(template)
    database.session().commit()
    flash(_("Template saved."), "success")
    return redirect(url_for("documents.edit_template", template_id=template.id))


@bp.route("/templates/<int:template_id>", methods=["GET", "POST"])
@login_required
def edit_template(template_id: int):
    require_admin()
    template = template_or_404(template_id)
    if request.method == "GET":
        return form_page({name: getattr(template, name) for name in ("name", "entity", "doc_type", "language", "source", "engine")},
                         {}, template)
    data, errors = read_form(template)
    if errors:
        return form_page(data, errors, template, 422)
    for name, value in data.items():
        setattr(template, name, value)
    template.updated_at = utcnow()
    database.session().commit()
    flash(_("Template saved."), "success")
    return redirect(url_for("documents.edit_template", template_id=template.id))


@bp.get("/templates/<int:template_id>/docx")
@login_required
def template_file(template_id: int):
    """The Word file of a template, to change in Word and upload again."""
    require_admin()
    template = template_or_404(template_id)
    if not template.docx:
        abort(404)
    return send_file(io.BytesIO(template.docx), mimetype=DOCX_TYPE, as_attachment=True,
                     download_name=template.docx_name or f"template-{template.id}.docx")


def editable_record(entity_key: str, record_id: int):
    """The record, if the user sees it and may edit it and make documents; else 404 or 403."""
    try:
        records = api.Records(entity_key, current_user)
        record = records.get(record_id)
    except (LookupError, RecordError):
        abort(404)
    if not records.can("edit") or record.is_archived or not api.can(current_user, f"{KEY}.create"):
        abort(403)
    return records.entity, record


@bp.route("/make/<entity_key>/<int:record_id>", methods=["GET", "POST"])
@login_required
def make(entity_key: str, record_id: int):
    entity, record = editable_record(entity_key, record_id)
    choices = generation.templates_for(entity.key)
    chosen = next((t for t in choices if str(t.id) == (request.values.get("template") or "")), None)
    try:
        if request.method == "POST":
            if chosen is None:
                abort(400)
            document = generation.generate(chosen, entity, record, current_user)
            flash(_("Document %(number)s made.", number=document.number), "success")
            return redirect(api.detail_url(KEY, document))
        preview = generation.preview(chosen, entity, record, current_user) if chosen else None
    except TemplateError as error:  # a value the template can't use (a filter on an empty field...)
        database.session().rollback()
        flash(_("The template could not be filled for this record: %(error)s", error=str(error)), "error")
        preview, status = None, 422
    else:
        status = 200
    return render_template("documents/make.html", entity=entity, record=record, choices=choices, chosen=chosen,
                           preview=preview, types=TYPE_LABELS, languages=LANGUAGE_LABELS,
                           record_url=api.detail_url(entity.key, record)), status


@bp.post("/templates/defaults")
@login_required
def add_defaults():
    """Add the shipped templates that are missing."""
    require_admin()
    added = defaults.install(database.session())
    database.session().commit()
    flash(_("Templates added: %(count)d.", count=len(added)), "success")
    return redirect(url_for("documents.templates"))
