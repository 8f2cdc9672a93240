"""The kanban board of a pipeline: a column per stage with its totals, cards paged lazily, and
moves that go through the workflow like any other edit.

A move is an ordinary ``Records.update`` of the deal's ``stage_id`` with the version the card was
drawn with, so the workflow decides: a target it forbids, or a lost stage without a reason, is
refused (422) and a card someone else moved meanwhile is stale (409). Every move works three
ways: drag and drop and a keyboard menu (static/board.js, answered in JSON), and without
JavaScript a stage select on each card posting a plain form (answered with a page). A lost
target asks for the reason, competitors and note first: board.js in a dialog, without it a page.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import select

from crmkit import db
from crmkit.core.access.models import Department, Office
from crmkit.core.auth.models import User
from crmkit.core.contacts.models import Organization
from crmkit.core.pipelines import board_data as data
from crmkit.core.pipelines.board_cards import Cards
from crmkit.core.pipelines.models import Deal, LossReason, Pipeline, Stage
from crmkit.core.pipelines.names import shown
from crmkit.core.records import links
from crmkit.entities.errors import Conflict, Invalid, RecordError
from crmkit.entities.service import Records
from crmkit.i18n import MomentFormat
from crmkit.i18n import gettext as _
from crmkit.validation import field_messages
from crmkit.i18n import ngettext

bp = Blueprint("pipelines_board", __name__, url_prefix="/pipelines", template_folder="templates",
               static_folder="static", static_url_path="/board-static")
COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
LOST_FIELDS = ("loss_reason_id", "loss_note", "competitor_ids")
COMPETITORS_SHOWN = 200


def deals() -> Records:
    return Records(current_app.extensions["crmkit"].entities.get("deal"), current_user)


def activities() -> Records | None:
    entities = current_app.extensions["crmkit"].entities
    return Records(entities.get("activity"), current_user) if "activity" in entities else None


def pipeline_or_404(pipeline_id: int) -> Pipeline:
    pipeline = db.session().get(Pipeline, pipeline_id)
    if pipeline is None:
        abort(404)
    return pipeline


def viewer() -> Records:
    records = deals()
    if not records.can("view"):
        abort(403)
    return records


@bp.context_processor
def names():
    return {"name_of": shown}


# pages
@bp.route("/board")
def first():
    """The navigation's entry: the first pipeline's board."""
    viewer()
    statement = select(Pipeline).where(Pipeline.archived_at.is_(None)).order_by(Pipeline.position, Pipeline.id)
    pipelines = list(db.session().execute(statement.limit(1)).scalars())
    if pipelines:
        return redirect(url_for(".board", pipeline_id=pipelines[0].id))
    return render_template("pipelines/board_none.html")


@bp.route("/<int:pipeline_id>/board")
def board(pipeline_id: int):
    records = viewer()
    pipeline = pipeline_or_404(pipeline_id)
    filters = data.Filters.from_args(request.args)
    since = data.visible_window(filters)
    stages = data.stages_of(records.db, pipeline)
    sums = data.totals(records, stages, filters, since)
    columns = []
    for stage in stages:
        if stage.archived_at is not None and stage.id not in sums:
            continue  # an archived stage is shown only while it still holds deals
        column = data.Column(stage, shown(stage.names))
        column.count, column.sums, column.weighted = sums.get(stage.id, (0, {}, {}))
        if column.count:
            column.cards, column.after = data.cards(records, stage, filters, since)
        columns.append(column)
    on_board = [card for column in columns for card in column.cards]
    return render_template(
        "pipelines/board.html",
        pipeline=pipeline,
        pipelines=other_pipelines(),
        columns=columns,
        filters=filters,
        since=since,
        choices=filter_choices(records),
        cards=card_context(records, stages, on_board, filters),
        lost=any(s.kind == "lost" and s.archived_at is None for s in stages),  # the dialog; its fields come when it opens
        closed_days=data.CLOSED_DAYS,
        can_move=records.can("edit"),
    )


@bp.route("/<int:pipeline_id>/board/stages/<int:stage_id>")
def more(pipeline_id: int, stage_id: int):
    """The next page of one column: a page of its own without JavaScript, the cards alone for board.js."""
    records = viewer()
    pipeline = pipeline_or_404(pipeline_id)
    stage = db.session().get(Stage, stage_id)
    if stage is None or stage.pipeline_id != pipeline.id:
        abort(404)
    filters = data.Filters.from_args(request.args)
    since = data.visible_window(filters)
    found, after = data.cards(records, stage, filters, since, cursor=request.args)
    stages = data.stages_of(records.db, pipeline)
    context = {"pipeline": pipeline, "stage": stage, "stage_name": shown(stage.names), "found": found,
               "after": after, "filters": filters, "cards": card_context(records, stages, found, filters),
               "can_move": records.can("edit")}
    if request.args.get("part") == "cards":
        return render_template("pipelines/board_more.html", **context)
    return render_template("pipelines/board_column.html", **context)


@bp.route("/<int:pipeline_id>/board/colors.css")
def colors(pipeline_id: int):
    """Each stage's colour as a class: the CSP allows no inline style, and admins choose colours."""
    viewer()
    stages = data.stages_of(db.session(), pipeline_or_404(pipeline_id))
    rules = [f".stage-{stage.id} {{ --stage-color: {stage.color}; }}" for stage in stages if COLOR.match(stage.color or "")]
    return "\n".join(rules) + "\n", 200, {"Content-Type": "text/css; charset=utf-8", "Cache-Control": "private, max-age=60"}


# moving
def deal_of(records: Records, pipeline: Pipeline, deal_id: int) -> Deal:
    try:
        deal = records.get(deal_id)
    except RecordError as error:
        abort(error.status)
    if deal.pipeline_id != pipeline.id:
        abort(404)
    return deal


def move_values(form) -> dict:
    """The stage and, for a lost one, the reason, note and competitors, as the deal's schema takes them."""
    values = {"stage_id": form.get("stage_id", "")}
    if form.get("loss_reason_id"):
        values["loss_reason_id"] = form["loss_reason_id"]
    if form.get("loss_note", "").strip():
        values["loss_note"] = form["loss_note"].strip()
    competitors = [value for value in form.getlist("competitor_ids") if value.isdigit()]
    if competitors:
        values["competitor_ids"] = [int(value) for value in competitors]
    return values


def wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@bp.route("/<int:pipeline_id>/board/deals/<int:deal_id>/move", methods=["GET", "POST"])
def move(pipeline_id: int, deal_id: int):
    """GET: the page that asks for what a move needs (a lost stage's reason), or with ``part=fields``
    just those fields for board.js's dialog. POST: the move."""
    records = viewer()
    pipeline = pipeline_or_404(pipeline_id)
    deal = deal_of(records, pipeline, deal_id)
    filters = data.Filters.from_args(request.values)
    stage = db.session().get(Stage, request.values.get("stage_id", type=int) or deal.stage_id)
    version = request.values.get("version", type=int)
    if stage is None or stage.pipeline_id != pipeline.id or version is None:
        abort(400)
    if request.method == "GET" and request.args.get("part") == "fields":  # board.js's lost dialog
        return render_template("pipelines/board_lost_part.html", lost=lost_choices(), form={})
    if request.method == "GET" or (stage.kind == "lost" and not request.form.get("loss_reason_id") and not wants_json()):
        return move_page(records, pipeline, deal, stage, version, filters)
    if not records.can("edit"):
        abort(403)
    try:
        records.update(deal, move_values(request.form), version=version)
    except Invalid as error:
        return refused(records, pipeline, deal, stage, version, filters, error)
    except Conflict as error:
        return stale(records, pipeline, error.current, stage, filters)
    except RecordError as error:
        abort(error.status)
    if wants_json():
        return moved_json(records, pipeline, deal, filters)
    flash(_("%(title)s moved to %(stage)s.", title=deal.title, stage=shown(stage.names)), "success")
    return redirect(url_for(".board", pipeline_id=pipeline.id, **filters.args()) + f"#deal-{deal.id}")


def message_of(error: Invalid) -> str:
    """The workflow's reasons in one sentence: the stage field's first, then any other field's."""
    messages = []
    for name, found in field_messages(error.fields).items():
        messages += [message if name == "stage_id" else f"{field_label(name)}: {message}" for message in found]
    return " ".join(messages) or _("This move is not allowed.")


def field_label(name: str) -> str:
    entity = current_app.extensions["crmkit"].entities.get("deal")
    return str(entity.field_label(name))


def refused(records, pipeline, deal, stage, version, filters, error: Invalid):
    records.db.rollback()
    if wants_json():
        return jsonify(error=message_of(error), fields=field_messages(error.fields), allowed=getattr(error, "allowed", None)), 422
    return move_page(records, pipeline, deal, stage, version, filters, error=message_of(error), status=422)


def stale(records, pipeline, current: Deal, stage, filters):
    message = _("Someone changed this deal in the meantime; it is shown as it is now. Move it again if you still want to.")
    if wants_json():
        return jsonify(error=message, card=render_card(records, pipeline, current, filters), stage_id=current.stage_id), 409
    return move_page(records, pipeline, current, stage, current.version, filters, error=message, status=409)


def moved_json(records, pipeline, deal: Deal, filters):
    """What board.js needs after a move: the card as it is now and every column's new totals."""
    stages = data.stages_of(records.db, pipeline)
    sums = data.totals(records, stages, filters, data.visible_window(filters))
    columns = {str(stage.id): totals_text(*sums.get(stage.id, (0, {}, {}))) for stage in stages}
    return jsonify(card=render_card(records, pipeline, deal, filters, stages), stage_id=deal.stage_id, version=deal.version,
                   columns=columns, message=_("%(title)s moved.", title=deal.title))


def totals_text(count: int, sums: dict, weighted: dict) -> dict:
    return {"count": str(count),
            "sum": render_template("pipelines/board_money.html", amounts=sums).strip(),
            "weighted": render_template("pipelines/board_money.html", amounts=weighted).strip()}


def render_card(records, pipeline, deal: Deal, filters, stages=None) -> str:
    stages = stages or data.stages_of(records.db, pipeline)
    return render_template("pipelines/board_card_one.html", pipeline=pipeline, deal=deal, filters=filters,
                           cards=card_context(records, stages, [deal], filters), can_move=records.can("edit"))


def move_page(records, pipeline, deal, stage, version, filters, error: str | None = None, status: int = 200):
    stages = data.stages_of(records.db, pipeline)
    return render_template(
        "pipelines/board_move.html", pipeline=pipeline, deal=deal, stage=stage, version=version, filters=filters,
        error=error, lost=lost_choices() if stage.kind == "lost" else None, form=request.form,
        current=next((shown(s.names) for s in stages if s.id == deal.stage_id), ""),
        targets=[(s, shown(s.names)) for s in stages if s.archived_at is None],
    ), status


# what the templates need
def card_context(records: Records, stages: list[Stage], deals_shown: list[Any], filters: data.Filters) -> Cards:
    """For the cards on a page: their organisations' names, next activities and rotting, and what
    every card shares (addresses, the move form's hidden fields and stage options), made once."""
    by_id = {stage.id: stage for stage in stages}
    targets = [(stage.id, shown(stage.names)) for stage in stages if stage.archived_at is None]
    entity = current_app.extensions["crmkit"].entities.get("deal")
    hidden = [("csrf_token", generate_csrf()), *filters.args().items()]
    return Cards(
        organisations=links.titles("organization", {d.organization_id for d in deals_shown if d.organization_id}),
        next=data.next_activities(current_user, [d.id for d in deals_shown], activities()),
        rotting={d.id for d in deals_shown if d.stage_id in by_id and data.rotting(d, by_id[d.stage_id])},
        rot_text={stage.id: ngettext("Rotting: in this stage more than %(num)d day",
                                     "Rotting: in this stage more than %(num)d days", stage.rot_days or 0) for stage in stages},
        money=data.MoneyFormat(get_locale()),
        when=MomentFormat("short"),
        detail=sentinel_url(f"records.{entity.endpoint_prefix}_detail", record_id=SENTINEL),
        move=sentinel_url("pipelines_board.move", pipeline_id=stages[0].pipeline_id if stages else 0, deal_id=SENTINEL),
        hidden=Markup("").join(Markup('<input type="hidden" name="{}" value="{}">').format(n, v) for n, v in hidden),
        options={stage.id: options(targets, stage.id) for stage in stages},
        all_options=options(targets, None),
        words={"no_amount": _("No amount"), "next": _("Next:"), "no_subject": _("(no subject)"),
               "no_next": _("No next activity"), "move_to": _("Move to"), "move": _("Move")},
        can_move=records.can("edit"),
    )


SENTINEL = 987654321


def sentinel_url(endpoint: str, **values) -> str:
    """An address with ``{}`` where the record's id goes, for ``str.format`` per card."""
    return url_for(endpoint, **values).replace("{", "{{").replace("}", "}}").replace(str(SENTINEL), "{}")


def options(targets: list[tuple[int, str]], current: int | None) -> Markup:
    return Markup("").join(Markup('<option value="{}">{}</option>').format(stage_id, name)
                           for stage_id, name in targets if stage_id != current)


def other_pipelines() -> list[tuple[int, str]]:
    statement = select(Pipeline).where(Pipeline.archived_at.is_(None)).order_by(Pipeline.position, Pipeline.id)
    return [(p.id, shown(p.names)) for p in db.session().execute(statement).scalars()]


def filter_choices(records: Records) -> dict:
    """Owners, departments, offices and sources for the filter bar (staff lists are short)."""
    session = records.db
    entity = records.entity
    source = entity.schema._declared_fields.get("source")
    return {
        "owners": list(session.execute(select(User.id, User.name, User.email).where(User.is_active.is_(True))
                                       .order_by(User.name, User.email))),
        "departments": list(session.execute(select(Department.id, Department.name).order_by(Department.name))),
        "offices": list(session.execute(select(Office.id, Office.name).order_by(Office.name))),
        "sources": list((source.metadata.get("choices_labels") or {}).items()) if source is not None else [],
    }


def lost_choices() -> dict:
    """The loss reasons in use and the competitors (organisations marked so) the user sees."""
    session = db.session()
    reasons = session.execute(select(LossReason).where(LossReason.archived_at.is_(None))
                              .order_by(LossReason.position, LossReason.id)).scalars()
    competitors = []
    entities = current_app.extensions["crmkit"].entities
    if "organization" in entities:
        organisations = Records(entities.get("organization"), current_user)
        if organisations.can("view"):
            statement = organisations.select().where(Organization.is_competitor.is_(True)).order_by(Organization.name)
            competitors = [(o.id, o.name) for o in session.execute(statement.limit(COMPETITORS_SHOWN)).scalars()]
    return {"reasons": [(r.id, shown(r.names)) for r in reasons], "competitors": competitors}
