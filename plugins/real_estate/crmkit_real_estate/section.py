"""The real estate section: one page with the object views (mine, my team's, all, the archive)
and what the other parts of the plugin add to it (``LINKS``), reached from the main navigation."""

from __future__ import annotations

from flask import Blueprint, render_template

from crmkit import api
from crmkit_real_estate.objects import KEY

messages = api.Messages(__name__)
_l = messages.lazy_gettext

bp = Blueprint("real_estate", __name__, url_prefix="/real-estate", template_folder="templates")

# (label, function returning the address, permission): the parts add their pages here.
LINKS: list[tuple[object, object, str]] = []


def views(user) -> list[dict]:
    """The object lists every agent needs, as filtered addresses of the entity's own list."""
    return [
        {"label": _l("My objects"), "url": api.list_url(KEY, owner_id="me")},
        {"label": _l("My team's objects"), "url": api.list_url(KEY, owner_id="team")},
        {"label": _l("All objects"), "url": api.list_url(KEY)},
        {"label": _l("On the market"), "url": api.list_url(KEY, status="active")},
        {"label": _l("Archive"), "url": api.list_url(KEY, archived="1")},
    ]


@bp.get("/")
def index():
    user = api.current_user()
    api.require(user, f"{KEY}.view")
    others = [{"label": label, "url": address()} for label, address, permission in LINKS if api.can(user, permission)]
    return render_template("real_estate/section.html", views=views(user), others=others,
                           new=api.new_url(KEY) if api.can(user, f"{KEY}.create") else None)


def nav_items(user):
    if not api.can(user, f"{KEY}.view"):
        return []
    return [api.NavItem(_l("Real estate"), endpoint="real_estate.index", order=29)]


def object_actions(record, user) -> list:
    """On an object's page: log a call or a showing about it (the activity form, About objects filled)."""
    if not api.can(user, "activity.create"):
        return []
    about = {"inventory.items": record.number}
    return [api.Action(_l("Log a call"), api.new_url("activity", kind="call", **about), order=20),
            api.Action(_l("Log a showing"), api.new_url("activity", kind="meeting", **about), order=21)]
