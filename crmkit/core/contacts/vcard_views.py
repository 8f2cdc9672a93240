"""vCard pages: the people list as one .vcf, one person's card, and importing a .vcf."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from sqlalchemy.exc import DataError, StatementError

from crmkit import audit, db
from crmkit.core.contacts import vcard, vcard_import
from crmkit.core.transfer.views import LIST_ARGS
from crmkit.entities.errors import RecordError
from crmkit.entities.listing import ListError
from crmkit.entities.service import Records
from crmkit.i18n import gettext as _

bp = Blueprint("contacts_vcard", __name__, url_prefix="/contacts/vcard", template_folder="templates")
MAX_BYTES = 10 << 20  # all cards of an import are checked and saved together, so they are held at once
VCARD_TYPE = "text/vcard; charset=utf-8"


def people(action: str) -> Records:
    records = Records(vcard.entity("person"), current_user)
    if not (records.can("view") and records.can(action)):
        abort(403)
    return records


def version() -> str:
    return request.args.get("version") if request.args.get("version") in vcard.VERSIONS else "3.0"


@bp.get("/export")
def export():
    """What the people list shows with the same filters, streamed a batch at a time."""
    records = people("export")
    filters = {k: v for k, v in request.args.items() if k not in (*LIST_ARGS, "version") and v != ""}
    cards = vcard.export(records, filters, version(), archived=request.args.get("archived") == "1")
    try:
        first = next(cards, "")  # a bad filter fails here, before the answer has started
    except (ListError, DataError, StatementError, OverflowError) as error:  # a filter value the column can't hold
        records.db.rollback()
        problem = str(error) if isinstance(error, ListError) else _("Not a valid value.")
        flash(_("This list can't be exported that way: %(problem)s", problem=problem), "error")
        return redirect(url_for("records.person_list"))
    audit.record("export", entity="person", format="vcard", filters=filters)
    def body():
        yield first
        yield from cards

    headers = {"Content-Disposition": 'attachment; filename="people.vcf"'}
    return Response(stream_with_context(db.streaming(body())), mimetype=VCARD_TYPE, headers=headers)


@bp.get("/person/<int:record_id>.vcf")
def person(record_id: int):
    """One person's card, for whoever may see them."""
    records = Records(vcard.entity("person"), current_user)
    try:
        record = records.get(record_id)
    except RecordError as error:
        abort(error.status)
    names = vcard.organization_names(current_user, [record.organization_id])
    text = vcard.card_of(record, names.get(record.organization_id), version()).serialize()
    headers = {"Content-Disposition": f'attachment; filename="person-{record.id}.vcf"'}
    return Response(text, mimetype=VCARD_TYPE, headers=headers)


@bp.route("/import", methods=["GET", "POST"])
def upload():
    """Upload a .vcf: every card is saved, or none and each bad one is listed."""
    records = people("import")
    entity = records.entity
    if request.method == "GET":
        return render_template("contacts/vcard_import.html", entity=entity, problems=[], update=False)
    update = bool(request.form.get("update"))
    storage = request.files.get("file")

    def refuse(message: str, status: int, problems=()):
        if message:
            flash(message, "error")
        return render_template("contacts/vcard_import.html", entity=entity, problems=problems, update=update), status

    if storage is None or not storage.filename:
        return refuse(_("Choose a .vcf file."), 400)
    raw = storage.stream.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        return refuse(_("The file is too big."), 413)
    try:
        outcome = vcard_import.import_cards(vcard.parse(raw), current_user, update=update)
    except vcard.VCardError as error:
        return refuse(str(error), 400)
    except RecordError as error:
        abort(error.status)
    if outcome.problems:
        message = _("Nothing was imported: fix the cards below and upload the file again.")
        return refuse(message, 422, outcome.problems)
    audit.record("import", entity="person", format="vcard", file=storage.filename[:255], created=len(outcome.created),
                 updated=len(outcome.updated), skipped=outcome.skipped)
    flash(_("vCards imported: %(created)d created, %(updated)d updated, %(skipped)d skipped.",
            created=len(outcome.created), updated=len(outcome.updated), skipped=outcome.skipped), "success")
    return redirect(url_for("records.person_list"))
