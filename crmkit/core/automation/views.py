"""The automation pages, for admins: the rules (switch on and off, edit, try on a record) and
the log of their runs, filtered by rule and result, newest first, paged by keyset."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from crmkit import db
from crmkit.core.access.policy import requiring
from crmkit.core.automation import catalog, conditions, declared, engine, form, portable, rules
from crmkit.core.automation.models import RESULTS, Rule, RuleRun
from crmkit.entities.errors import RecordError
from crmkit.entities.service import Records
from crmkit.i18n import gettext as _

bp = Blueprint("automation", __name__, url_prefix="/admin/automation", template_folder="templates")
PAGE_SIZE = 50
bp.before_request(requiring("core.manage_automation"))


def rule_or_404(rule_id: int) -> Rule:
    rule = db.session().get(Rule, rule_id)
    if rule is None:
        abort(404)
    return rule


def entities() -> list:
    return list(current_app.extensions["crmkit"].entities)


@bp.route("/")
def index():
    page = max(int(request.args.get("page", "1")) if request.args.get("page", "1").isdigit() else 1, 1)
    session = db.session()
    found = list(session.execute(select(Rule).order_by(Rule.entity, Rule.position, Rule.name)
                                 .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).scalars())
    registry = current_app.extensions["crmkit"].entities
    shown = []
    for rule in found[:PAGE_SIZE]:
        entity = registry.get(rule.entity) if rule.entity in registry else None
        trigger = catalog.triggers().get((rule.trigger or {}).get("type"))
        shown.append({"rule": rule, "entity": entity.label_plural if entity else rule.entity,
                      "trigger": trigger.label if trigger else (rule.trigger or {}).get("type"),
                      "conditions": conditions.describe(entity, rule.conditions) if entity else "",
                      "actions": [str(getattr(catalog.actions().get(a.get("type")), "label", a.get("type"))) for a in rule.actions or []]})
    return render_template("automation/index.html", rules=shown, page=page, more=len(found) > PAGE_SIZE)


@bp.route("/<int:rule_id>/enabled", methods=["POST"])
def switch(rule_id: int):
    rule = rule_or_404(rule_id)
    rules.set_enabled(db.session(), rule, request.form.get("enabled") == "1", current_user)
    flash(_("Rule «%(name)s» is on.", name=rule.name) if rule.enabled else _("Rule «%(name)s» is off.", name=rule.name), "success")
    return redirect(url_for("automation.index"))


@bp.route("/<int:rule_id>/remove", methods=["POST"])
def remove(rule_id: int):
    rule = rule_or_404(rule_id)
    session = db.session()
    portable._remove(session, rule)
    session.commit()
    flash(_("Rule «%(name)s» removed; its runs stay in the log.", name=rule.name), "success")
    return redirect(url_for("automation.index"))


@bp.route("/new", methods=["GET", "POST"])
def new():
    return edit(None)


@bp.route("/<int:rule_id>", methods=["GET", "POST"], endpoint="edit")
def edit(rule_id: int | None):
    rule = rule_or_404(rule_id) if rule_id is not None else None
    session = db.session()
    if request.method == "POST":
        data = form.read(request.form)
    elif rule is not None:
        data = rules.as_data(rule)
    else:
        data = {"name": "", "entity": request.args.get("entity") or entities()[0].key, "enabled": True,
                "trigger": {"type": "record_created"}, "conditions": {}, "actions": []}
    problems, trial = [], None
    if request.method == "POST" and "save" in request.form:
        try:
            rule = rules.save(session, data, current_user, rule)
        except rules.RuleInvalid as error:
            problems = error.problems
        else:
            flash(_("Rule «%(name)s» saved.", name=rule.name), "success")
            return redirect(url_for("automation.edit", rule_id=rule.id))
    elif request.method == "POST" and "try" in request.form:
        trial, problems = try_on(data, request.form.get("record_id", ""))
    return render(data, rule, problems, trial, status=422 if problems else 200)


def try_on(data: dict, record_id: str):
    """The dry run of the form's rule on a record the admin sees, or the problems in the way."""
    cleaned, problems = rules.check(data)
    if problems:
        return None, problems
    entity = rules.entity_of(cleaned["entity"])
    try:
        record = Records(entity, current_user, db.session()).get(int(record_id))
    except (ValueError, RecordError):
        return None, [(("record_id",), _("There is no %(entity)s number «%(id)s» that you can see.",
                                         entity=entity.label, id=record_id))]
    return {"record": record, **engine.dry_run(db.session(), cleaned, entity, record, current_user)}, []


def render(data: dict, rule: Rule | None, problems: list, trial: dict | None, status: int = 200):
    entity = rules.entity_of(data.get("entity")) or entities()[0]
    known = catalog.triggers()
    trigger = known.get((data.get("trigger") or {}).get("type"))
    session = db.session()
    return render_template(
        "automation/edit.html", rule=rule, data=data, entity=entity, entities=entities(),
        triggers=[t for t in known.values() if t.usable_on(entity)], trigger=trigger,
        actions=[a for a in catalog.actions().values() if a.usable_on(entity)], catalog=catalog,
        fields=declared.condition_fields(entity), ops=conditions.OPS, no_value=conditions.NO_VALUE,
        rows=form.rows(data), describe_group=lambda group: conditions.describe(entity, group), options=lambda param, values: form.options(session, entity, param, values),
        problems=[message for _path, message in problems], trial=trial, record_id=request.form.get("record_id", ""),
    ), status


@bp.route("/log")
def log():
    session = db.session()
    args = request.args
    statement = select(RuleRun)
    if args.get("rule", "").isdigit():
        statement = statement.where(RuleRun.rule_id == int(args["rule"]))
    if args.get("result") in RESULTS:
        statement = statement.where(RuleRun.result == args["result"])
    if args.get("before", "").isdigit():
        statement = statement.where(RuleRun.id < int(args["before"]))
    runs = list(session.execute(statement.order_by(RuleRun.id.desc()).limit(PAGE_SIZE + 1)).scalars())
    more = len(runs) > PAGE_SIZE
    runs = runs[:PAGE_SIZE]
    filter_args = {k: v for k, v in args.items() if k != "before" and v}
    named = session.execute(select(Rule.id, Rule.name).order_by(Rule.name).limit(1000)).all()
    registry = current_app.extensions["crmkit"].entities
    links = {run.id: url_for(f"records.{registry.get(run.entity).endpoint_prefix}_detail", record_id=run.record_id)
             for run in runs if run.record_id and run.entity in registry}
    return render_template("automation/log.html", runs=runs, rules=named, results=RESULTS, args=args, links=links,
                           filter_args=filter_args,
                           next_args={**filter_args, "before": runs[-1].id} if more else None)
