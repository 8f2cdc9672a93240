"""Home-page widgets: an agent's active objects and this week's showings; a manager's objects per
agent and new demand against new supply this month. Each computes only when drawn (a function
in its context), with a LIMIT and the indexes of the tables it reads."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select

from crmkit import api
from crmkit_real_estate import counts
from crmkit_real_estate.counts import links

messages = api.Messages(__name__)
_l = messages.lazy_gettext

PROPERTY = counts.PROPERTY
DEMAND = "real_estate.demand"
OPEN = ("active", "reserved")
SHOWN = 8


def local_midnight(user, day) -> datetime:
    zone = ZoneInfo(getattr(user, "timezone", None) or "UTC")
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def my_objects(user) -> dict:
    """The agent's objects on the market: how many, and the newest few."""
    records = api.Records(PROPERTY, user)
    model = records.model
    mine = [model.owner_id == user.id, model.status.in_(OPEN)]
    total = records.db.execute(records.select().where(*mine).with_only_columns(func.count()).order_by(None)).scalar()
    newest = records.list(*mine, limit=SHOWN)
    return {"total": total or 0, "rows": [(o, api.detail_url(PROPERTY, o)) for o in newest],
            "all": api.list_url(PROPERTY, owner_id="me", status="active")}


def showings_this_week(user) -> list:
    """The agent's meetings about objects from Monday to Sunday of their week, in order."""
    today = api.today(user)
    monday = today - timedelta(days=today.weekday())
    activity, prop = counts.model("activity"), counts.model(PROPERTY)
    statement = (
        select(activity.c.id, activity.c.subject, activity.c.happened_at, prop.c.id.label("pid"), prop.c.number)
        .select_from(activity)
        .join(links, and_(links.c.subject_entity == "activity", links.c.subject_id == activity.c.id,
                          links.c.item_entity == PROPERTY))
        .join(prop, prop.c.id == links.c.item_id)
        .where(activity.c.owner_id == user.id, activity.c.kind == "meeting", activity.c.archived_at.is_(None),
               activity.c.happened_at >= local_midnight(user, monday),
               activity.c.happened_at < local_midnight(user, monday + timedelta(days=7)))
        .order_by(activity.c.happened_at).limit(SHOWN * 2)
    )
    return [(row, api.detail_url("activity", row.id), api.detail_url(PROPERTY, row.pid)) for row in api.session().execute(statement)]


def objects_per_agent(user) -> list:
    """Objects on the market per responsible agent, among those the manager sees; most first."""
    records = api.Records(PROPERTY, user)
    model = records.model
    statement = (records.select().where(model.status.in_(OPEN))
                 .with_only_columns(model.owner_id, model.status, func.count()).order_by(None)
                 .group_by(model.owner_id, model.status))
    per_owner: dict = {}
    for owner_id, status, count in records.db.execute(statement):
        per_owner.setdefault(owner_id, dict.fromkeys(OPEN, 0))[status] = count
    ranked = sorted(per_owner.items(), key=lambda item: -(item[1]["active"] + item[1]["reserved"]))[:SHOWN * 2]
    names = user_names([owner for owner, _figures in ranked if owner is not None])
    return [(names.get(owner, "—"), f["active"], f["reserved"], api.list_url(PROPERTY, owner_id=owner) if owner else None)
            for owner, f in ranked]


def user_names(ids: list[int]) -> dict[int, str]:
    found = {}
    for user_id in ids:  # a manager's agents: a few primary-key reads
        person = api.find_user(id=user_id)
        found[user_id] = (person.name or person.email) if person else f"#{user_id}"
    return found


def demand_vs_supply(user) -> list:
    """New objects against new buyer demand this month (the user's calendar), by kind."""
    today = api.today(user)
    first = local_midnight(user, today.replace(day=1))
    found: dict[str, list[int]] = {}
    for position, key in enumerate((PROPERTY, DEMAND)):
        try:
            records = api.Records(key, user)
        except LookupError:
            continue
        if not records.can("view"):
            continue
        model = records.model
        statement = (records.select().where(model.created_at >= first)
                     .with_only_columns(model.kind, func.count()).order_by(None).group_by(model.kind))
        for kind, count in records.db.execute(statement):
            found.setdefault(kind, [0, 0])[position] = count
    label = api.entity(PROPERTY).display
    return [(label("kind", kind), supply, demand) for kind, (supply, demand) in sorted(found.items(), key=lambda i: -sum(i[1]))]


def widgets(user) -> list:
    if not api.can(user, f"{PROPERTY}.view"):
        return []
    manager = getattr(user, "role", "") in ("manager", "admin") or getattr(user, "is_admin", False)
    return [
        api.DashboardWidget(_l("My active objects"), "real_estate/widget_my_objects.html", {"load": my_objects, "user": user},
                            order=30, key="real_estate.my_objects", default=not manager),
        api.DashboardWidget(_l("Showings this week"), "real_estate/widget_showings.html",
                            {"load": showings_this_week, "user": user}, order=31, key="real_estate.showings", default=not manager),
        api.DashboardWidget(_l("Objects per agent"), "real_estate/widget_per_agent.html",
                            {"load": objects_per_agent, "user": user}, order=32, key="real_estate.per_agent", default=manager),
        api.DashboardWidget(_l("New demand and supply this month"), "real_estate/widget_demand_supply.html",
                            {"load": demand_vs_supply, "user": user}, order=33, key="real_estate.demand_supply", default=manager),
    ]
