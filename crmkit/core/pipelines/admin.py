"""Admin pages for pipelines and their stages, loss reasons and the price list, under
/admin/pipelines and all requiring ``pipelines.manage``. Plain forms (no JavaScript needed);
a form with a bad value is shown again with what was typed and a message per field (422)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from crmkit import db
from crmkit.core.access.models import Department
from crmkit.core.access.policy import requiring
from crmkit.core.pipelines import names, setup
from crmkit.core.pipelines.models import CURRENCIES, STAGE_KINDS, LossReason, Pipeline, PriceItem, Stage
from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_gettext as _l

PERMISSION = "pipelines.manage"
KIND_LABELS = {"open": _l("Open"), "won": _l("Won"), "lost": _l("Lost")}
PRICE_PAGE = 100

bp = Blueprint("pipelines_admin", __name__, url_prefix="/admin/pipelines", template_folder="templates")
bp.before_request(requiring(PERMISSION))


def row_or_404(model: type, row_id: int) -> Any:
    row = db.session().get(model, row_id)
    if row is None:
        abort(404)
    return row


def departments() -> list[Department]:
    return list(db.session().execute(select(Department).order_by(Department.name).limit(setup.LIST_LIMIT)).scalars())


def optional_department(raw: str | None) -> int | None:
    if not raw:
        return None
    department = db.session().get(Department, int(raw)) if raw.isdigit() else None
    if department is None:
        raise setup.SetupError({"department_id": [_("Choose a department from the list.")]})
    return department.id


def common() -> dict[str, Any]:
    return {"shown": names.shown, "languages": names.LANGUAGES, "kinds": STAGE_KINDS, "kind_labels": KIND_LABELS,
            "currencies": CURRENCIES}


def refused(template: str, error: setup.SetupError, form_id: str, **context):
    """The page again, with the failed form's typed values and messages."""
    db.session().rollback()
    return render_template(template, errors=error.errors, failed=form_id, typed=request.form, **common(), **context), 422


# pipelines
@bp.route("/")
def index():
    return render_template("pipelines/admin_index.html", pipelines=setup.pipelines(db.session()), departments=departments(),
                           errors={}, failed=None, typed={}, **common())


@bp.route("/", methods=["POST"])
def create():
    session = db.session()
    try:
        pipeline = setup.create_pipeline(session, names.from_form(request.form), optional_department(request.form.get("department_id")),
                                         request.form.get("currency", "KZT"))
    except setup.SetupError as error:
        return refused("pipelines/admin_index.html", error, "new", pipelines=setup.pipelines(session), departments=departments())
    flash(_("Pipeline “%(name)s” added with the usual stages; adjust them below.", name=names.shown(pipeline.names)), "success")
    return redirect(url_for("pipelines_admin.pipeline", pipeline_id=pipeline.id))


def pipeline_page(pipeline: Pipeline, error: setup.SetupError | None = None, form_id: str | None = None):
    session = db.session()
    context = {"pipeline": pipeline, "stages": setup.stages_of(session, pipeline.id), "departments": departments()}
    if error is not None:
        return refused("pipelines/admin_pipeline.html", error, form_id, **context)
    return render_template("pipelines/admin_pipeline.html", errors={}, failed=None, typed={}, **common(), **context)


@bp.route("/<int:pipeline_id>")
def pipeline(pipeline_id: int):
    return pipeline_page(row_or_404(Pipeline, pipeline_id))


@bp.route("/<int:pipeline_id>", methods=["POST"])
def update(pipeline_id: int):
    found = row_or_404(Pipeline, pipeline_id)
    try:
        setup.update_pipeline(db.session(), found, names.from_form(request.form),
                              optional_department(request.form.get("department_id")), request.form.get("currency", "KZT"))
    except setup.SetupError as error:
        return pipeline_page(found, error, "pipeline")
    flash(_("Pipeline saved."), "success")
    return redirect(url_for("pipelines_admin.pipeline", pipeline_id=pipeline_id))


@bp.route("/<int:pipeline_id>/archive", methods=["POST"])
def archive(pipeline_id: int):
    found = row_or_404(Pipeline, pipeline_id)
    archived = request.form.get("action") != "restore"
    setup.set_archived(db.session(), found, archived)
    flash(_("Pipeline archived: no new deals go there; its deals stay.") if archived else _("Pipeline restored."), "success")
    return redirect(url_for("pipelines_admin.index"))


@bp.route("/<int:pipeline_id>/move", methods=["POST"])
def move_pipeline(pipeline_id: int):
    found = row_or_404(Pipeline, pipeline_id)
    setup.move(db.session(), setup.pipelines(db.session()), found, request.form.get("direction", "up"))
    return redirect(url_for("pipelines_admin.index"))


# stages
@bp.route("/<int:pipeline_id>/stages", methods=["POST"])
def add_stage(pipeline_id: int):
    found = row_or_404(Pipeline, pipeline_id)
    try:
        setup.add_stage(db.session(), found, setup.stage_values(request.form, names.from_form(request.form)))
    except setup.SetupError as error:
        return pipeline_page(found, error, "new-stage")
    flash(_("Stage added."), "success")
    return redirect(url_for("pipelines_admin.pipeline", pipeline_id=pipeline_id))


@bp.route("/stages/<int:stage_id>", methods=["POST"])
def update_stage(stage_id: int):
    stage = row_or_404(Stage, stage_id)
    try:
        setup.update_stage(db.session(), stage, setup.stage_values(request.form, names.from_form(request.form)))
    except setup.SetupError as error:
        return pipeline_page(row_or_404(Pipeline, stage.pipeline_id), error, f"stage-{stage_id}")
    flash(_("Stage saved."), "success")
    return redirect(url_for("pipelines_admin.pipeline", pipeline_id=stage.pipeline_id, _anchor=f"stage-{stage_id}"))


@bp.route("/stages/<int:stage_id>/move", methods=["POST"])
def move_stage(stage_id: int):
    stage = row_or_404(Stage, stage_id)
    session = db.session()
    setup.move(session, setup.stages_of(session, stage.pipeline_id), stage, request.form.get("direction", "up"))
    return redirect(url_for("pipelines_admin.pipeline", pipeline_id=stage.pipeline_id, _anchor=f"stage-{stage_id}"))


@bp.route("/stages/<int:stage_id>/archive", methods=["POST"])
def archive_stage(stage_id: int):
    stage = row_or_404(Stage, stage_id)
    archived = request.form.get("action") != "restore"
    setup.set_archived(db.session(), stage, archived)
    flash(_("Stage archived: its deals and their history stay, no new deals move into it.") if archived
          else _("Stage restored."), "success")
    return redirect(url_for("pipelines_admin.pipeline", pipeline_id=stage.pipeline_id))


# loss reasons
def reasons_page(error: setup.SetupError | None = None, form_id: str | None = None):
    context = {"reasons": setup.loss_reasons(db.session())}
    if error is not None:
        return refused("pipelines/admin_reasons.html", error, form_id, **context)
    return render_template("pipelines/admin_reasons.html", errors={}, failed=None, typed={}, **common(), **context)


@bp.route("/loss-reasons")
def reasons():
    return reasons_page()


@bp.route("/loss-reasons", methods=["POST"])
def add_reason():
    try:
        setup.add_loss_reason(db.session(), names.from_form(request.form))
    except setup.SetupError as error:
        return reasons_page(error, "new")
    flash(_("Loss reason added."), "success")
    return redirect(url_for("pipelines_admin.reasons"))


@bp.route("/loss-reasons/<int:reason_id>", methods=["POST"])
def update_reason(reason_id: int):
    reason = row_or_404(LossReason, reason_id)
    session = db.session()
    action = request.form.get("action", "save")
    if action in ("up", "down"):
        setup.move(session, setup.loss_reasons(session), reason, action)
    elif action in ("archive", "restore"):
        setup.set_archived(session, reason, action == "archive")
    else:
        given = names.from_form(request.form)
        try:
            setup.need_a_name(given)
        except setup.SetupError as error:
            return reasons_page(error, f"reason-{reason_id}")
        reason.names = given
        session.commit()
        flash(_("Loss reason saved."), "success")
    return redirect(url_for("pipelines_admin.reasons"))


# the price list
def prices_page(error: setup.SetupError | None = None, form_id: str | None = None):
    after = request.args.get("after")
    items = setup.price_items(db.session(), after, PRICE_PAGE + 1)
    context = {"items": items[:PRICE_PAGE], "next_after": items[PRICE_PAGE - 1].name if len(items) > PRICE_PAGE else None}
    if error is not None:
        return refused("pipelines/admin_prices.html", error, form_id, **context)
    return render_template("pipelines/admin_prices.html", errors={}, failed=None, typed={}, **common(), **context)


@bp.route("/prices")
def prices():
    return prices_page()


@bp.route("/prices", methods=["POST"])
def add_price():
    try:
        values = setup.price_values(request.form)
    except setup.SetupError as error:
        return prices_page(error, "new")
    session = db.session()
    session.add(PriceItem(**values))
    session.commit()
    flash(_("Price list line added."), "success")
    return redirect(url_for("pipelines_admin.prices"))


@bp.route("/prices/<int:item_id>", methods=["POST"])
def update_price(item_id: int):
    item = row_or_404(PriceItem, item_id)
    session = db.session()
    action = request.form.get("action", "save")
    if action in ("archive", "restore"):
        setup.set_archived(session, item, action == "archive")
        return redirect(url_for("pipelines_admin.prices"))
    try:
        values = setup.price_values(request.form)
    except setup.SetupError as error:
        return prices_page(error, f"price-{item_id}")
    for name, value in values.items():
        setattr(item, name, value)
    session.commit()
    flash(_("Price list line saved."), "success")
    return redirect(url_for("pipelines_admin.prices"))
