"""Value types that plugins return from hooks. Immutable, so one plugin can't alter another's."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class NavItem:
    """An entry in the main navigation.

    ``label`` is shown as given: pass a lazy gettext string so it follows the user's language.
    ``endpoint`` is a Flask endpoint (``"notebook.index"``); ``url`` an address, for links out.
    ``group`` is where the top bar puts it: ``"main"`` (in the bar), ``"tools"`` (daily tools
    behind a menu) or ``"admin"`` (the Administration menu); left out, it follows ``order``
    (below 800 main, 800-899 tools, 900 and up admin), as it did before groups existed.
    """

    label: Any
    endpoint: str | None = None
    url: str | None = None
    order: int = 100
    group: str | None = None

    def __post_init__(self) -> None:
        if (self.endpoint is None) == (self.url is None):
            raise ValueError("NavItem needs exactly one of endpoint and url")
        if self.group is None:
            object.__setattr__(self, "group", "main" if self.order < 800 else "tools" if self.order < 900 else "admin")
        elif self.group not in NAV_GROUPS:
            raise ValueError(f"NavItem group must be one of {', '.join(NAV_GROUPS)}, not {self.group!r}")


NAV_GROUPS = ("main", "tools", "admin")


@dataclass(frozen=True)
class Panel:
    """A box on a page, rendered from ``template`` with ``context``; pages sort them by ``order``."""

    title: Any
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100


@dataclass(frozen=True)
class DashboardWidget(Panel):
    """A panel on the home page. ``key`` (``<plugin>.<name>``) lets users unpin, move and pin it
    again; a widget without one is always shown. ``default``: whether it is on the page of a user
    who has not arranged their own (decide it per user in the hook)."""

    key: str | None = None
    default: bool = True


@dataclass(frozen=True)
class Action:
    """A button on a record's page. ``method="post"`` sends a form with a CSRF token."""

    label: Any
    href: str
    method: str = "get"
    order: int = 100


@dataclass(frozen=True)
class Permission:
    """A permission a role can be granted; name it ``<plugin>.<what>``.

    ``label`` says what it allows and ``group`` is the heading the role form lists it under (say,
    the plugin's name); pass lazy gettext strings. Without a group it is listed under "Other".
    """

    name: str
    label: Any
    group: Any = None


@dataclass(frozen=True)
class AuditAction:
    """An action the audit log records (``crmkit.api.audit(name, **details)``), as admins read it.

    ``label`` names it in the log's action column and filter. ``sentence`` tells one entry, a lazy
    gettext string formatted with the entry's details (``_l("Exported %(entity)s as %(format)s")``);
    a detail the sentence does not name is listed after it, and an entry lacking a detail the
    sentence names shows the label alone.
    """

    name: str
    label: Any
    sentence: Any = None


@dataclass(frozen=True)
class IntakeSource:
    """A channel leads arrive through (``intake_sources``): a web form, a webhook, a mailbox, calls.

    ``key`` is what a lead's ``channel`` holds (``"form"``, ``"phone"``); ``label`` and
    ``description`` are lazy gettext strings shown on filters, reports and the admin's "Lead
    channels" page; ``settings_endpoint``: the Flask endpoint of the channel's settings page, if any.
    """

    key: str
    label: Any
    description: Any = ""
    settings_endpoint: str | None = None


@dataclass(frozen=True)
class AssignmentCondition:
    """A condition admins can put on a lead assignment rule (``lead_assignment_conditions``).

    ``key`` is ``<plugin>.<name>``; ``label`` (a lazy gettext string) names it on the rule's form.
    ``matches(lead, values)`` says whether a lead meets it for the values the admin chose (a
    non-empty list of strings; any one of them may match); keep it to the lead's own fields or one
    indexed query. ``choices()``, when given, lists ``(value, label)`` pairs the form offers to
    tick; without it the admin types values, one per line.
    """

    key: str
    label: Any
    matches: Any
    choices: Any = None
