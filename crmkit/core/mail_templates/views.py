"""/admin/mail-templates: the list, the form (new and edit), deleting, and the preview against a
real record chosen with the record picker. Permission ``mail_templates.manage``."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from crmkit import db as database
from crmkit.core.access.policy import user_can
from crmkit.core.mail_templates import forms
from crmkit.core.mail_templates.models import MailTemplate
from crmkit.core.mail_templates.rendering import RenderError, language_of, render
from crmkit.core.records import links
from crmkit.entities.forms import FormField
from crmkit.i18n import LANGUAGE_NAMES
from crmkit.i18n import gettext as _

PERMISSION = "mail_templates.manage"
PER_PAGE = 50
bp = Blueprint("mail_templates", __name__, url_prefix="/admin/mail-templates", template_folder="templates")


@bp.before_request
def allowed():
    if not user_can(current_user, PERMISSION):
        abort(403)


def entities():
    return sorted(current_app.extensions["crmkit"].entities, key=lambda e: str(e.label_plural))


def entity_labels():
    return {e.key: e.label for e in current_app.extensions["crmkit"].entities}


def template_or_404(template_id: int) -> MailTemplate:
    found = database.session().get(MailTemplate, template_id)
    if found is None:
        abort(404)
    return found


@bp.route("/")
def index():
    after = request.args.get("after", "")
    statement = select(MailTemplate).order_by(MailTemplate.key).limit(PER_PAGE + 1)
    if after:
        statement = statement.where(MailTemplate.key > after)
    rows = list(database.session().execute(statement).scalars())
    return render_template("mail_templates/list.html", rows=rows[:PER_PAGE], labels=entity_labels(),
                           next_after=rows[PER_PAGE - 1].key if len(rows) > PER_PAGE else None, first_page=not after)


def form_page(data: dict, errors: dict, template: MailTemplate | None = None, status: int = 200, version=None):
    return render_template(
        "mail_templates/form.html", data=data, errors=errors, template=template, entities=entities(),
        languages=current_app.config["LANGUAGES"], language_names=LANGUAGE_NAMES,
        default_language=current_app.config["DEFAULT_LOCALE"],
        version=version if version is not None else (template.version if template else None),
    ), status


@bp.route("/new", methods=["GET", "POST"])
def new():
    if request.method == "GET":
        return form_page({"key": "", "entity": request.args.get("entity", ""), "name": "", "texts": {}}, {})
    data = forms.read(request.form)
    errors = forms.errors_of(data, None)
    if errors:
        return form_page(data, errors, status=422)
    template = forms.save(data, None, None)
    flash(_("The template «%(name)s» is saved.", name=template.name), "success")
    return redirect(url_for("mail_templates.preview", template_id=template.id))


@bp.route("/<int:template_id>", methods=["GET", "POST"])
def edit(template_id: int):
    template = template_or_404(template_id)
    if request.method == "GET":
        return form_page({"key": template.key, "entity": template.entity, "name": template.name,
                          "texts": template.texts}, {}, template)
    data = forms.read(request.form)
    errors = forms.errors_of(data, template)
    if errors:
        return form_page(data, errors, template, 422, version=request.form.get("version"))
    try:
        forms.save(data, template, request.form.get("version"))
    except forms.Stale:
        database.session().rollback()
        template = template_or_404(template_id)
        errors = {"form": [_("Someone else changed this template while you were editing it. Your text is kept below; "
                             "compare it with theirs in the preview before saving again.")]}
        return form_page(data, errors, template, 409, version=template.version)
    flash(_("The template «%(name)s» is saved.", name=template.name), "success")
    return redirect(url_for("mail_templates.preview", template_id=template.id))


@bp.route("/<int:template_id>/delete", methods=["POST"])
def delete(template_id: int):
    template = template_or_404(template_id)
    session = database.session()
    session.delete(template)
    session.commit()
    flash(_("The template «%(name)s» is deleted.", name=template.name), "success")
    return redirect(url_for("mail_templates.index"))


@bp.route("/<int:template_id>/preview")
def preview(template_id: int):
    """The template rendered for a record the admin picks, in a language they choose."""
    template = template_or_404(template_id)
    languages = current_app.config["LANGUAGES"]
    language = request.args.get("language") or language_of(current_user)
    if language not in languages:
        language = current_app.config["DEFAULT_LOCALE"]
    field = FormField("record_id", _("Record"), "number", link=template.entity)
    chosen = links.from_form(request.args, "record_id", template.entity) if "record_id" in request.args else None
    rendered, error = None, None
    if chosen is not None and not str(chosen).isdigit():
        error = getattr(chosen, "reason", None) or _("No such record.")
    elif chosen is not None:
        field.value = int(chosen)
        field.title = links.titles(template.entity, {int(chosen)}).get(int(chosen), "")
        try:
            rendered = render(template, int(chosen), entity=template.entity, language=language,
                              recipient=current_user, sender=current_user)
        except (RenderError, LookupError) as problem:
            error = str(problem)
    links.fill_choices([field])
    return render_template(
        "mail_templates/preview.html", template=template, field=field, language=language, languages=languages,
        language_names=LANGUAGE_NAMES, rendered=rendered, error=error, labels=entity_labels(),
    ), 422 if error else 200
