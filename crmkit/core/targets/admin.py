"""/admin/targets: a year's grid of monthly targets, a row per department and per employee.

Needs ``targets.manage`` (admins). One plain form per page (CSRF, no JavaScript): an empty cell
has no target, a filled one is a sum in the targets' currency with at most two decimals. A form
with a bad cell saves nothing and comes back with what was typed and a message under each bad
cell (422). Employees come 50 a page, optionally of one department (and those under it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_login import current_user
from sqlalchemy import delete, select

from crmkit import audit, db
from crmkit.core.access.models import Department
from crmkit.core.access.policy import department_subtree, requiring
from crmkit.core.auth.models import User
from crmkit.core.org.service import department_tree
from crmkit.core.pipelines.setup import decimal_in
from crmkit.core.targets.models import SalesTarget
from crmkit.core.targets.report import currency
from crmkit.db import utcnow
from crmkit.i18n import gettext as _
from crmkit.i18n import ngettext

PERMISSION = "targets.manage"
PAGE = 50
MONTHS = range(1, 13)
LARGEST = Decimal("9999999999999999.99")

bp = Blueprint("targets_admin", __name__, url_prefix="/admin/targets", template_folder="templates", static_folder="static",
               static_url_path="/static")
bp.before_request(requiring(PERMISSION))


@dataclass
class GridRow:
    key: str  # "d<id>" or "u<id>"
    label: str
    depth: int = 0
    muted: bool = False


def year_of(raw: str | None) -> int:
    try:
        year = int(raw or date.today().year)
    except ValueError:
        abort(400)
    if not 2000 <= year <= 2100:
        abort(400)
    return year


def page_rows(year: int, department_id: int | None, page: int) -> tuple[list[GridRow], bool]:
    """The departments (on the first page, as a tree) and a page of employees."""
    session = db.session()
    rows: list[GridRow] = []
    if page == 1 and department_id is None:
        for _office, departments in department_tree(session):
            rows += [GridRow(f"d{dep.id}", dep.name, depth) for depth, dep in departments]
    query = select(User).order_by(User.name, User.email, User.id)
    if department_id is not None:
        query = query.where(User.department_id.in_(department_subtree(session, department_id)))
    users = list(session.execute(query.offset((page - 1) * PAGE).limit(PAGE + 1)).scalars())
    rows += [GridRow(f"u{u.id}", u.name or u.email, muted=not u.is_active) for u in users[:PAGE]]
    return rows, len(users) > PAGE


def stored(year: int, rows: list[GridRow]) -> dict[str, Decimal]:
    """The stored targets of ``rows`` in ``year``, by cell name (``u7-3``: user 7, March)."""
    users = [int(r.key[1:]) for r in rows if r.key[0] == "u"]
    departments = [int(r.key[1:]) for r in rows if r.key[0] == "d"]
    query = select(SalesTarget).where(
        SalesTarget.month >= date(year, 1, 1), SalesTarget.month < date(year + 1, 1, 1),
        (SalesTarget.user_id.in_(users or [0])) | (SalesTarget.department_id.in_(departments or [0])),
    )
    found = {}
    for target in db.session().execute(query).scalars():
        key = f"u{target.user_id}" if target.user_id is not None else f"d{target.department_id}"
        found[f"{key}-{target.month.month}"] = target.amount
    return found


def grid_page(year: int, errors: dict[str, list[str]] | None = None, typed: Any = None, status: int = 200):
    department_id = request.values.get("department", type=int)
    page = max(1, request.values.get("page", 1, type=int))
    rows, more = page_rows(year, department_id, page)
    departments = [dep for _office, deps in department_tree(db.session()) for _depth, dep in deps]
    months = [format_date(date(year, m, 1), "LLL") for m in MONTHS]
    return render_template(
        "targets/admin.html", year=year, rows=rows, months=months, values=stored(year, rows), errors=errors or {},
        typed=typed, page=page, more=more, department_id=department_id, departments=departments, currency=currency(),
    ), status


@bp.route("/")
def index():
    return grid_page(year_of(request.args.get("year")))


@bp.route("/", methods=["POST"])
def save():
    """Save every cell of the rows the form showed; nothing when one cell is wrong."""
    year = year_of(request.form.get("year"))
    keys = [k for k in request.form.get("rows", "").split(",") if k]
    if not keys or any(k[:1] not in "ud" or not k[1:].isdigit() for k in keys):
        abort(400)
    errors: dict[str, list[str]] = {}
    wanted: dict[tuple[str, int], Decimal | None] = {}
    for key in keys:
        for month in MONTHS:
            name = f"{key}-{month}"
            raw = (request.form.get(name) or "").strip()
            wanted[(key, month)] = decimal_in(raw, Decimal(0), LARGEST, name, errors) if raw else None
    if not holders_exist(keys):
        abort(400)
    if errors:
        return grid_page(year, errors, request.form, 422)
    changed = write(year, wanted)
    db.session().commit()
    if changed:
        audit.record("targets_changed", year=year, cells=changed)
        flash(ngettext("Targets saved: %(num)d change.", "Targets saved: %(num)d changes.", changed), "success")
    else:
        flash(_("Nothing changed."), "info")
    return redirect(url_for("targets_admin.index", year=year, department=request.form.get("department") or None,
                            page=request.form.get("page") or None))


def holders_exist(keys: list[str]) -> bool:
    """Whether every row's user and department exists."""
    session = db.session()
    users = {int(k[1:]) for k in keys if k[0] == "u"}
    departments = {int(k[1:]) for k in keys if k[0] == "d"}
    found_users = set(session.execute(select(User.id).where(User.id.in_(users or [0]))).scalars())
    found_deps = set(session.execute(select(Department.id).where(Department.id.in_(departments or [0]))).scalars())
    return found_users == users and found_deps == departments


def write(year: int, wanted: dict[tuple[str, int], Decimal | None]) -> int:
    """Insert, change or delete each cell's target; returns how many changed."""
    session = db.session()
    rows = [GridRow(key, "") for key in {k for k, _m in wanted}]
    before = stored(year, rows)
    changed = 0
    for (key, month), amount in wanted.items():
        old = before.get(f"{key}-{month}")
        if old == amount:
            continue
        changed += 1
        holder = {"user_id": int(key[1:])} if key[0] == "u" else {"department_id": int(key[1:])}
        where = [SalesTarget.month == date(year, month, 1)]
        where += [getattr(SalesTarget, name) == value for name, value in holder.items()]
        if amount is None:
            session.execute(delete(SalesTarget).where(*where))
        elif old is None:
            session.add(SalesTarget(month=date(year, month, 1), amount=amount, currency=currency(),
                                    updated_by_id=current_user.id, **holder))
        else:
            target = session.execute(select(SalesTarget).where(*where)).scalar_one()
            target.amount, target.currency = amount, currency()
            target.updated_by_id, target.updated_at = current_user.id, utcnow()
    return changed
