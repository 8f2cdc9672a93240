"""Admin pages for leads under /admin/leads, requiring ``leads.manage``: the channels leads come
through (as plugins declare them) and the sources admins name per language, with the values that
point to each. Plain forms; a refused one is shown again with what was typed (422)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from crmkit import db
from crmkit.core.access.policy import requiring
from crmkit.core.leads import channels, setup
from crmkit.core.leads.models import Source
from crmkit.core.pipelines.names import LANGUAGES, from_form, shown
from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_gettext as _l

PERMISSION = "leads.manage"
KIND_LABELS = {
    "utm_source": _l("utm_source tags"),
    "referrer_host": _l("Referring sites"),
    "mailbox": _l("Mailboxes"),
    "number": _l("Phone numbers"),
    "form": _l("Web forms"),
}
KIND_HELP = {
    "utm_source": _l("The utm_source of links in ads and posts, one per line: krisha, instagram."),
    "referrer_host": _l("Sites a visitor came from, one per line: olx.kz."),
    "mailbox": _l("Addresses leads are written to, one per line: sales@agency.kz."),
    "number": _l("Tracking numbers in ads, one per line: +7 727 000 00 00."),
}

bp = Blueprint("leads_admin", __name__, url_prefix="/admin/leads", template_folder="templates")
bp.before_request(requiring(PERMISSION))


def common() -> dict[str, Any]:
    return {"shown": shown, "languages": LANGUAGES, "kinds": setup.TYPED_KINDS, "kind_labels": KIND_LABELS,
            "kind_help": KIND_HELP, "tabs": channels.settings_tabs()}


@bp.route("/")
def index():
    """The channels leads arrive through, each with its settings page when it has one."""
    return render_template("leads/admin_channels.html", channels=list(channels.declared().values()),
                           tabs=channels.settings_tabs())


def sources_page(error: setup.SetupError | None = None, form_id: str | None = None):
    context = {"sources": setup.listed(db.session()), **common()}
    if error is not None:
        db.session().rollback()
        return render_template("leads/admin_sources.html", errors=error.errors, failed=form_id, typed=request.form,
                               **context), 422
    return render_template("leads/admin_sources.html", errors={}, failed=None, typed={}, **context)


@bp.route("/sources")
def sources():
    return sources_page()


def save_from_form(source: Source | None, form_id: str):
    form = request.form
    try:
        saved = setup.save(db.session(), source, form.get("key", ""), from_form(form), form.get("active") == "on",
                           {kind: form.get(kind, "") for kind in setup.TYPED_KINDS})
    except setup.SetupError as error:
        return sources_page(error, form_id)
    flash(_("Source “%(name)s” saved.", name=shown(saved.names) or saved.key), "success")
    return redirect(url_for("leads_admin.sources") + f"#source-{saved.id}")


@bp.route("/sources", methods=["POST"])
def add_source():
    return save_from_form(None, "new")


@bp.route("/sources/<int:source_id>", methods=["POST"])
def update_source(source_id: int):
    source = db.session().get(Source, source_id)
    if source is None:
        abort(404)
    return save_from_form(source, f"source-{source_id}")
