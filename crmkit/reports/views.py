"""/reports: the reports a user may run, each report's page, its chart, exports, saved reports and mailings.

Every path checks the report's permission and the view permission of its entity; the figures
come from ``engine.run`` with the user's visibility inside the SQL.
"""

from __future__ import annotations

from babel.dates import get_day_names
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import select

from crmkit import audit
from crmkit import db as database
from crmkit.core.access.policy import access_for
from crmkit.core.auth.models import User
from crmkit.i18n import gettext as _
from crmkit.reports import bar, charts, engine, exports, registry, saved
from crmkit.reports.context import Context
from crmkit.reports.declaration import Report
from crmkit.reports.models import SavedReport

bp = Blueprint("reports", __name__, url_prefix="/reports", template_folder="templates",
               static_folder="static", static_url_path="/reports-static")


def report_for(key: str) -> Report:
    """The report, or 404; 403 when the user may not run it."""
    report = registry.reports().get(key)
    if report is None:
        abort(404)
    access = access_for(database.session(), current_user)
    if not (access.can(report.permission) and access.can(f"{report.entity}.view")):
        abort(403)
    return report


def context_for(report: Report) -> Context:
    return Context.build(report, current_user, request.args)


def list_url(entity_key: str, args: dict[str, str]) -> str:
    entity = current_app.extensions["crmkit"].entities.get(entity_key)
    return url_for(f"records.{entity.endpoint_prefix}_list", **args)


@bp.route("/")
def index():
    db = database.session()
    runnable = registry.reports().runnable_by(current_user, db)
    keys = {r.key for r in runnable}
    mine = [s for s in saved.visible(db, current_user) if s.report_key in keys]
    return render_template("reports/index.html", reports=runnable, saved_reports=mine,
                           by_key={r.key: r for r in runnable})


@bp.route("/<key>/")
def page(key):
    report = report_for(key)
    ctx = context_for(report)
    result = engine.run(report, ctx)
    db = database.session()
    own_saved = saved.visible(db, current_user, report.key)
    current = next((s for s in own_saved if str(s.id) == request.args.get("saved")), None)
    mailings = saved.mailings_of(db, [current.id]) if current else {}
    recipients = saved.recipients_named(db, sorted({r for m in mailings.get(current.id, []) for r in m.recipients})) if current else {}
    users = db.execute(select(User.id, User.name, User.email).where(User.is_active.is_(True)).order_by(User.name, User.email).limit(500)).all() if current else []
    args = saved.params_of(request.args)
    return render_template(
        "reports/report.html",
        report=report,
        ctx=ctx,
        result=result,
        fields=bar.fields(ctx),
        args=args,
        list_url=list_url,
        saved_reports=own_saved,
        current=current,
        mailings=mailings.get(current.id, []) if current else [],
        recipients=recipients,
        users=users,
        weekdays=[name for _day, name in sorted(get_day_names("wide", locale=get_locale()).items())],  # Monday first
        can_change=saved.may_change(db, current_user, current) if current else False,
        heatmap_cells=charts.heatmap_cells,
    )


@bp.route("/<key>/chart.svg")
def chart(key):
    report = report_for(key)
    result = engine.run(report, context_for(report))
    if result.chart is None or result.chart.kind == "none":
        abort(404)
    response = Response(charts.svg(result.chart), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, max-age=60"  # its address names the language (?lang=)
    return response


@bp.route("/<key>/export")
def export(key):
    report = report_for(key)
    result = engine.run(report, context_for(report))
    kind = "xlsx" if request.args.get("format") == "xlsx" else "csv"
    audit.record("reports.export", report=report.key, format=kind, filters=saved.params_of(request.args))
    name = report.key.replace(".", "-")
    if kind == "xlsx":
        return Response(
            exports.xlsx_bytes(result, str(report.label)),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    return Response(exports.csv_text(result), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


@bp.post("/<key>/save")
def save(key):
    report = report_for(key)
    name = (request.form.get("name") or "").strip()
    if not name:
        flash(_("Give the saved report a name."), "error")
        return redirect(url_for("reports.page", key=report.key, **saved.params_of(request.form)))
    kept = saved.save(database.session(), current_user, report.key, name, request.form.get("shared") == "1", request.form)
    flash(_("Report saved."), "success")
    return redirect(url_for("reports.page", key=report.key, saved=kept.id, **kept.params))


def saved_for(saved_id: int, change: bool = False) -> tuple[SavedReport, Report]:
    db = database.session()
    found = db.get(SavedReport, saved_id)
    if found is None or not saved.may_open(current_user, found):
        abort(404)
    if change and not saved.may_change(db, current_user, found):
        abort(403)
    return found, report_for(found.report_key)


@bp.route("/saved/<int:saved_id>")
def open_saved(saved_id):
    found, report = saved_for(saved_id)
    return redirect(url_for("reports.page", key=report.key, saved=found.id, **found.params))


@bp.post("/saved/<int:saved_id>/delete")
def delete_saved(saved_id):
    found, report = saved_for(saved_id, change=True)
    saved.delete(database.session(), found)
    flash(_("Saved report deleted."), "success")
    return redirect(url_for("reports.page", key=report.key))


@bp.post("/saved/<int:saved_id>/mailings")
def add_mailing(saved_id):
    found, report = saved_for(saved_id, change=True)
    try:
        saved.make_mailing(database.session(), current_user, found, request.form)
    except ValueError:
        flash(_("Choose how often, when and to whom the report is mailed."), "error")
    else:
        flash(_("The report will be mailed as scheduled."), "success")
    return redirect(url_for("reports.page", key=report.key, saved=found.id, **found.params))


@bp.post("/mailings/<int:mailing_id>/delete")
def delete_mailing(mailing_id):
    from crmkit.reports.models import ReportMailing

    db = database.session()
    mailing = db.get(ReportMailing, mailing_id)
    if mailing is None:
        abort(404)
    found, report = saved_for(mailing.saved_id, change=True)
    db.delete(mailing)
    db.commit()
    flash(_("Mailing stopped."), "success")
    return redirect(url_for("reports.page", key=report.key, saved=found.id, **found.params))
