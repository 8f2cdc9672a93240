"""The matching pages and panels: an object's matching demands, a demand's matching objects (each
paginated, best score first), the demands panel on a person's and a lead's page with its form,
and where that form posts.

Active objects are the agency's offer: whoever may view objects sees the listing facts of every
matching active object (number, place, rooms, area, price) and opens those their visibility
allows. Demands are the buyers' own: a user sees the matching demands they may see, and only a
count of the others (whose agents are notified)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request
from sqlalchemy import case, func, select

from crmkit import api
from crmkit_real_estate import demand, matching
from crmkit_real_estate.demand_models import Demand
from crmkit_real_estate.models import Property
from crmkit_real_estate.objects import DEAL_TYPES, KINDS

messages = api.Messages(__name__)
_ = messages.gettext
_l = messages.lazy_gettext

PROPERTY = "real_estate.property"
ABOUT = {"person": "person_id", "lead": "lead_id"}
PANEL_ROWS = 5
DISTRICTS = {  # the form's check boxes; REAL_ESTATE_DISTRICTS overrides them
    "Алматы": ["Алатауский", "Алмалинский", "Ауэзовский", "Бостандыкский", "Жетысуский", "Медеуский",
               "Наурызбайский", "Турксибский"],
    "Астана": ["Алматы", "Байконур", "Есиль", "Нура", "Сарыарка"],
}

bp = Blueprint("real_estate_matching", __name__, url_prefix="/real-estate", template_folder="templates")


def found_or_404(key: str, user: Any, record_id: int) -> Any:
    """The record, or a 404 page when it does not exist or the user does not see it."""
    api.require(user, f"{key}.view")
    try:
        return api.Records(key, user).get(record_id)
    except api.NotFound:
        abort(404)


def page_number() -> int:
    return max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))


def districts_by_city() -> dict[str, list[str]]:
    return current_app.config.get("REAL_ESTATE_DISTRICTS") or DISTRICTS


def labels() -> dict[str, Any]:
    return {"kinds": KINDS, "deal_types": DEAL_TYPES, "statuses": {s.key: s.label for s in demand.STATES}}


# an object's matching demands

def demand_matches(user: Any, prop: Property, page: int, size: int) -> tuple[matching.Page, int]:
    """The demands the user sees that the object meets, one page, and how many others match."""
    where, score = matching.demands_for(prop)
    records = api.Records(demand.KEY, user)
    visible = records.select()
    found = matching.paged(records.db, visible.where(where), score, Demand, page, size)
    counts = select(func.count(), func.count(case((visible.whereclause, 1)))).select_from(Demand).where(where)
    everyone, seen = records.db.execute(counts).one()  # both in one pass over the matches
    return found, everyone - seen


def market_object(user: Any, property_id: int) -> Property:
    """An object the user may look at from matching: one they see, or any active one."""
    api.require(user, f"{PROPERTY}.view")
    prop = api.session().get(Property, property_id)
    if prop is None or not (prop.status == matching.ACTIVE and prop.archived_at is None or seen(user, [prop.id])):
        abort(404)
    return prop


def seen(user: Any, ids: list[int]) -> set[int]:
    return api.Records(PROPERTY, user).visible_ids(set(ids)) if ids else set()


@bp.route("/objects/<int:property_id>/demands")
def demands_of_object(property_id: int):
    user = api.current_user()
    api.require(user, f"{demand.KEY}.view")
    prop = market_object(user, property_id)
    found, others = demand_matches(user, prop, page_number(), matching.PAGE_SIZE)
    return render_template("real_estate/demand_matches.html", prop=prop, found=found, others=others,
                           object_url=api.detail_url(PROPERTY, prop) if seen(user, [prop.id]) else None,
                           detail=lambda record: api.detail_url(demand.KEY, record), **labels())


# a demand's matching objects

def object_matches(user: Any, record: Demand, page: int, size: int) -> matching.Page:
    """The active objects that meet the demand, one page (listing facts, whoever lists them)."""
    api.require(user, f"{PROPERTY}.view")
    where, score = matching.objects_for(record, demand.split_districts(record.districts))
    return matching.paged(api.session(), select(Property).where(where), score, Property, page, size)


@bp.route("/demands/<int:demand_id>/objects")
def objects_of_demand(demand_id: int):
    user = api.current_user()
    record = found_or_404(demand.KEY, user, demand_id)
    found = object_matches(user, record, page_number(), matching.PAGE_SIZE)
    visible = seen(user, [prop.id for prop, _score in found.rows])
    return render_template("real_estate/demand_objects.html", demand=record, found=found, visible=visible,
                           demand_url=api.detail_url(demand.KEY, record),
                           detail=lambda prop: api.detail_url(PROPERTY, prop), **labels())


# the panels

def object_panel(user: Any, prop: Property) -> list[api.Panel]:
    if not api.can(user, f"{demand.KEY}.view") or prop.status != matching.ACTIVE:
        return []
    found, others = demand_matches(user, prop, 1, PANEL_ROWS)
    context = {"found": found, "others": others, "detail": lambda record: api.detail_url(demand.KEY, record),
               "all": url("demands_of_object", property_id=prop.id), **labels()}
    return [api.Panel(_l("Matching demands"), "real_estate/demand_matches_panel.html", context, order=40)]


def demand_panel(user: Any, record: Demand) -> list[api.Panel]:
    if not api.can(user, f"{PROPERTY}.view") or record.status != matching.ACTIVE:
        return []
    found = object_matches(user, record, 1, PANEL_ROWS)
    context = {"found": found, "visible": seen(user, [prop.id for prop, _score in found.rows]),
               "detail": lambda prop: api.detail_url(PROPERTY, prop),
               "all": url("objects_of_demand", demand_id=record.id), **labels()}
    return [api.Panel(_l("Matching objects"), "real_estate/demand_objects_panel.html", context, order=40)]


def about_panel(user: Any, entity_key: str, record: Any) -> list[api.Panel]:
    """A person's or lead's demands, and the form to add one."""
    if not api.can(user, f"{demand.KEY}.view"):
        return []
    field = ABOUT[entity_key]
    rows = api.Records(demand.KEY, user).list(getattr(Demand, field) == record.id, limit=10)
    context = {"rows": rows, "detail": lambda row: api.detail_url(demand.KEY, row),
               "matches": lambda row: url("objects_of_demand", demand_id=row.id),
               "all": api.list_url(demand.KEY, **{field: record.id}),
               "form": form_context(entity_key, record.id, {}, {}) if api.can(user, f"{demand.KEY}.create") else None,
               **labels()}
    return [api.Panel(_l("What they are looking for"), "real_estate/demand_panel.html", context, order=35)]


def url(endpoint: str, **values: Any) -> str:
    from flask import url_for

    return url_for(f"real_estate_matching.{endpoint}", **values)


def form_context(about: str, about_id: int, typed: dict, errors: dict) -> dict[str, Any]:
    return {"about": about, "about_id": about_id, "typed": typed, "errors": errors, "cities": districts_by_city(),
            "chosen": set(request.form.getlist("districts")) if request.method == "POST" else set(),
            "action": url("add_demand"), **labels()}


# the panel's form

FORM_FIELDS = ("deal_type", "kind", "city", "rooms_min", "rooms_max", "area_min", "area_max", "budget_min",
               "budget_max", "currency", "note")


@bp.route("/demands/new", methods=["POST"])
def add_demand():
    """Save a demand from the panel's form, then go back to the person or lead."""
    user = api.current_user()
    api.require(user, f"{demand.KEY}.create")
    about = request.form.get("about", "")
    about_id = request.form.get("about_id", type=int)
    if about not in ABOUT or about_id is None:
        abort(400)
    found_or_404(about, user, about_id)
    typed = {name: request.form.get(name, "").strip() for name in FORM_FIELDS}
    chosen = request.form.getlist("districts") + demand.split_districts(request.form.get("other_districts"))
    data = {name: value or None for name, value in typed.items()}
    data.update({ABOUT[about]: about_id, "districts": chosen or None, "currency": typed["currency"] or "KZT"})
    try:
        record = api.Records(demand.KEY, user).create(data)
    except api.Invalid as error:
        typed["other_districts"] = request.form.get("other_districts", "")
        return render_template("real_estate/demand_form.html", form=form_context(about, about_id, typed, error.fields),
                               back=api.detail_url(about, about_id)), 422
    return redirect(url("objects_of_demand", demand_id=record.id))
