"""The admin pages of web forms under /admin/leads/forms (``leads.manage``): the list, a form's
settings and the snippet to paste into a site, in two variants."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from crmkit import db
from crmkit.core.access.policy import requiring
from crmkit.core.intake_form import setup, snippet
from crmkit.core.intake_form.fields import available
from crmkit.core.intake_form.models import IntakeForm
from crmkit.core.leads import channels
from crmkit.core.leads.admin import PERMISSION
from crmkit.core.leads.setup import SetupError
from crmkit.core.leads.sources import source_ids, source_name
from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_gettext as _l

LANGUAGE_LABELS = {"ru": _l("Russian"), "kk": _l("Kazakh"), "en": _l("English")}

bp = Blueprint("intake_form_admin", __name__, url_prefix="/admin/leads/forms", template_folder="templates")
bp.before_request(requiring(PERMISSION))


def form_or_404(form_id: int) -> IntakeForm:
    form = db.session().get(IntakeForm, form_id)
    if form is None:
        abort(404)
    return form


def context(**extra):
    return {"tabs": channels.settings_tabs(), "known": available(), "languages": LANGUAGE_LABELS,
            "sources": [(i, source_name(i)) for i in source_ids()], **extra}


def given() -> dict:
    form = request.form
    return {"name": form.get("name"), "language": form.get("language"), "fields": form.getlist("fields"),
            "required": form.getlist("required"), "allowed_origins": form.get("allowed_origins"),
            "redirect_url": form.get("redirect_url"), "thank_you": form.get("thank_you"),
            "source_id": form.get("source_id"), "active": form.get("active") == "on"}


def edit_page(form: IntakeForm | None, error: SetupError | None = None):
    if error is not None:
        db.session().rollback()
    shown = given() if error is not None else None
    snippets = {variant: snippet.render(form, variant) for variant in snippet.VARIANTS} if form and form.id else {}
    page = render_template("intake_form/admin_form.html", form=form, typed=shown, errors=error.errors if error else {},
                           snippets=snippets, **context())
    return (page, 422) if error is not None else page


@bp.route("/")
def index():
    return render_template("intake_form/admin_index.html", forms=setup.forms(db.session()), **context())


@bp.route("/new")
def new():
    return edit_page(None)


@bp.route("/", methods=["POST"])
def create():
    try:
        form = setup.save(db.session(), None, given())
    except SetupError as error:
        return edit_page(None, error)
    flash(_("Form “%(name)s” created: paste its snippet into your site.", name=form.name), "success")
    return redirect(url_for("intake_form_admin.edit", form_id=form.id))


@bp.route("/<int:form_id>")
def edit(form_id: int):
    return edit_page(form_or_404(form_id))


@bp.route("/<int:form_id>", methods=["POST"])
def update(form_id: int):
    form = form_or_404(form_id)
    try:
        setup.save(db.session(), form, given())
    except SetupError as error:
        return edit_page(form, error)
    flash(_("Form saved."), "success")
    return redirect(url_for("intake_form_admin.edit", form_id=form.id))


@bp.route("/<int:form_id>/archive", methods=["POST"])
def archive(form_id: int):
    form = form_or_404(form_id)
    archived = request.form.get("action") != "restore"
    setup.set_archived(db.session(), form, archived)
    flash(_("Form archived: it no longer takes submissions.") if archived else _("Form restored."), "success")
    return redirect(url_for("intake_form_admin.index"))
