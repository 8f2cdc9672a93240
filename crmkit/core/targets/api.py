"""``/api/v1/targets``: monthly sales targets over the REST API, the same ones /admin/targets edits.

Admins (``targets.manage``) list, create, change and delete; a role that sees deals of its
department (a manager) reads the targets of its department, the departments under it and their
employees; one that sees every deal reads all. Authentication, CSRF and the error format are the
REST API's (crmkit.core.api.views); bad input is a 422 with a message per field.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, current_app, request, url_for
from flask_login import current_user
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import or_, select

from crmkit import audit, db
from crmkit.core.access.models import Department
from crmkit.core.access.policy import access_for, department_subtree
from crmkit.core.api.views import API_PREFIX, authenticate, json_body
from crmkit.core.auth.models import User
from crmkit.core.targets.admin import LARGEST, PERMISSION
from crmkit.core.targets.models import SalesTarget
from crmkit.core.targets.report import currency
from crmkit.db import MAX_ID, utcnow
from crmkit.entities.errors import Invalid, RecordError
from crmkit.errors import json_error
from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_gettext as _l
from crmkit.validation import translate_messages

PAGE, MAX_LIMIT = 50, 200
MONTH = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$"
bp = Blueprint("targets_api", __name__, url_prefix=f"{API_PREFIX}/targets")
bp.before_request(authenticate)


class TargetInput(Schema):
    """A new target: its month, exactly one holder, and the amount in the targets' currency."""

    month = fields.String(required=True, validate=validate.Regexp(MONTH, error=_l("A month as YYYY-MM, 2000 to 2100.")))
    user_id = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=1, max=2**31 - 1))
    department_id = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=1, max=2**31 - 1))
    amount = fields.Decimal(required=True, places=None, as_string=True,
                            validate=validate.Range(min=Decimal(0), max=LARGEST))

    @validates_schema
    def one_holder(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if "month" in data and (data.get("user_id") is None) == (data.get("department_id") is None):
            raise ValidationError(_l("Give either an employee or a department."), "user_id")


class TargetPatch(Schema):
    amount = fields.Decimal(required=True, places=None, as_string=True,
                            validate=validate.Range(min=Decimal(0), max=LARGEST))


def as_json(target: SalesTarget) -> dict[str, Any]:
    return {"id": target.id, "month": target.month.strftime("%Y-%m"), "user_id": target.user_id,
            "department_id": target.department_id, "amount": str(target.amount), "currency": target.currency,
            "updated_at": target.updated_at.isoformat()}


def loaded(schema: Schema) -> dict[str, Any]:
    """The body through ``schema``; amounts with more than two decimals are refused, never rounded."""
    body = json_body()
    if "amount" in body and not isinstance(body["amount"], str):
        raise Invalid({"amount": [_("Not a valid number.")]})
    try:
        data = schema.load(body)
    except ValidationError as error:
        raise Invalid(translate_messages(error.messages)) from None
    if data["amount"] != data["amount"].quantize(Decimal("0.01")):
        raise Invalid({"amount": [_("At most two decimals.")]})
    data["amount"] = data["amount"].quantize(Decimal("0.01"))
    return data


def may_read(user) -> bool:
    access = access_for(db.session(), user)
    return access.can(PERMISSION) or access.level("deal") in ("all", "department")


def readable():
    """A condition on SalesTarget for the targets the caller may read; None for all; 403 for none."""
    access = access_for(db.session(), current_user)
    if access.can(PERMISSION) or access.level("deal") == "all":
        return None
    if access.level("deal") != "department" or current_user.department_id is None:
        abort(403)
    departments = department_subtree(db.session(), current_user.department_id)
    members = select(User.id).where(User.department_id.in_(departments))
    return or_(SalesTarget.department_id.in_(departments), SalesTarget.user_id.in_(members))


def require_manage() -> None:
    if not access_for(db.session(), current_user).can(PERMISSION):
        abort(403)


def target_or_404(target_id: int) -> SalesTarget:
    if not 1 <= target_id <= MAX_ID:  # beyond the column's integers no target exists (PostgreSQL would refuse the query)
        abort(404)
    condition = readable()
    query = select(SalesTarget).where(SalesTarget.id == target_id)
    target = db.session().execute(query if condition is None else query.where(condition)).scalar_one_or_none()
    if target is None:
        abort(404)
    return target


def query_problems() -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    for key in request.args:
        if key not in ("year", "user_id", "department_id", "limit", "after"):
            problems[key] = [_("The list cannot be filtered by this.")]
    for key, low, high in (("year", 2000, 2100), ("user_id", 1, 2**31 - 1), ("department_id", 1, 2**31 - 1),
                           ("limit", 1, MAX_LIMIT), ("after", 1, 2**63 - 1)):
        raw = request.args.get(key)
        if raw is not None and not (raw.isascii() and raw.isdigit() and low <= int(raw) <= high):
            problems[key] = [_("Must be between %(min)d and %(max)d.", min=low, max=high)]
    return problems


@bp.get("")
def list_targets():
    """A page of targets by id, optionally of one year, employee or department."""
    problems = query_problems()
    if problems:
        return json_error(400, _("This list can't be shown that way."), problems)
    query = select(SalesTarget)
    condition = readable()
    if condition is not None:
        query = query.where(condition)
    args = {k: int(v) for k, v in request.args.items()}
    if "year" in args:
        query = query.where(SalesTarget.month >= date(args["year"], 1, 1), SalesTarget.month < date(args["year"] + 1, 1, 1))
    for name in ("user_id", "department_id"):
        if name in args:
            query = query.where(getattr(SalesTarget, name) == args[name])
    if "after" in args:
        query = query.where(SalesTarget.id > args["after"])
    limit = args.get("limit", PAGE)
    rows = list(db.session().execute(query.order_by(SalesTarget.id).limit(limit + 1)).scalars())
    more = len(rows) > limit
    rows = rows[:limit]
    following = {**request.args, "after": rows[-1].id} if more else None
    return {"items": [as_json(t) for t in rows],
            "next": url_for("targets_api.list_targets", **following, _external=True) if following else None}


@bp.post("")
def create_target():
    require_manage()
    data = loaded(TargetInput())
    session = db.session()
    year, month = (int(part) for part in data["month"].split("-"))
    holder = {k: data[k] for k in ("user_id", "department_id") if data.get(k) is not None}
    (name, holder_id), = holder.items()
    if session.get(User if name == "user_id" else Department, holder_id) is None:
        message = _("No such employee.") if name == "user_id" else _("No such department.")
        return json_error(404, message, {name: [message]})
    first = date(year, month, 1)
    taken = select(SalesTarget.id).where(SalesTarget.month == first, getattr(SalesTarget, name) == holder_id)
    if session.execute(taken).first() is not None:
        message = _("This month already has a target; change that one.")
        return json_error(409, message, {"month": [message]})
    target = SalesTarget(month=first, amount=data["amount"], currency=currency(), updated_by_id=current_user.id, **holder)
    session.add(target)
    session.commit()
    audit.record("targets_changed", year=year, cells=1)
    response = current_app.json.response(as_json(target))
    response.status_code = 201
    response.headers["Location"] = url_for("targets_api.get_target", target_id=target.id, _external=True)
    return response


@bp.get("/<int:target_id>")
def get_target(target_id: int):
    return as_json(target_or_404(target_id))


@bp.patch("/<int:target_id>")
def update_target(target_id: int):
    target = target_or_404(target_id)
    require_manage()
    data = loaded(TargetPatch())
    target.amount, target.currency = data["amount"], currency()
    target.updated_by_id, target.updated_at = current_user.id, utcnow()
    db.session().commit()
    audit.record("targets_changed", year=target.month.year, cells=1)
    return as_json(target)


@bp.delete("/<int:target_id>")
def delete_target(target_id: int):
    target = target_or_404(target_id)
    require_manage()
    year = target.month.year
    db.session().delete(target)
    db.session().commit()
    audit.record("targets_changed", year=year, cells=1)
    return "", 204


@bp.errorhandler(RecordError)
def record_error(error: RecordError):
    if isinstance(error, Invalid):
        return json_error(422, _("Some fields are not valid."), error.fields)
    return json_error(error.status)


@bp.errorhandler(403)
def forbidden(_error):
    return json_error(403, _("You do not have permission to do this."))


@bp.errorhandler(404)
def not_found(_error):
    return json_error(404, _("No such target."))
