"""The people admin pages (users, roles, offices and departments, "why can they see it?"),
all under /admin and all requiring the core.manage_users permission."""

from __future__ import annotations

from flask import Blueprint

from crmkit.core.access.policy import requiring

bp = Blueprint("org", __name__, url_prefix="/admin", template_folder="../templates")


bp.before_request(requiring("core.manage_users"))


def optional_int(value) -> int | None:
    """Form values for optional links: "" is none."""
    if value in (None, "", "None"):
        return None
    return int(value)


from crmkit.core.org.views import explain, roles, structure, users  # noqa: E402,F401 - routes on bp
