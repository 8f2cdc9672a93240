"""Telephony as a crmkit plugin: its hookspec (``telephony_providers``), tables, pages, webhook,
permissions and notification kind, all through crmkit.api."""

from __future__ import annotations


from crmkit import api
from crmkit_telephony import card, clicktocall, live, mango, openapi, stream, tracking, views, zadarma
from crmkit_telephony.generic import Generic
from crmkit_telephony.models import Call, Extension

messages = api.Messages(__name__)
_l = messages.lazy_gettext


class Specs:
    @api.hookspec
    def telephony_providers(self):
        """Declare cloud PBX adapters (``crmkit_telephony.events.Provider`` instances): each parses
        and verifies its own webhook at ``/telephony/webhook/<key>`` and may map extensions to
        users.

        :return: a list of providers.
        """


@api.hookimpl
def register_hookspecs(plugin_manager):
    plugin_manager.add_hookspecs(Specs)


@api.hookimpl
def telephony_providers():
    return [Generic(), zadarma.Zadarma(), mango.Mango()]


@api.hookimpl
def register_models():
    return [Call, Extension, tracking.CallSource, live.Push]


@api.hookimpl
def register_blueprints():
    return [views.bp, views.hook, zadarma.bp, mango.bp, tracking.bp, stream.bp, card.bp, clicktocall.bp]


@api.hookimpl
def init_app(app):
    """Deliveries carry a signature instead of a CSRF token."""
    app.extensions["csrf"].exempt(views.hook)
    app.extensions["csrf"].exempt(mango.bp)  # Mango's per-event addresses, signed like the webhook


@api.hookimpl
def register_permissions():
    group = _l("Telephony")
    return [
        api.Permission(views.VIEW, _l("See and work the missed-call queue (own and unassigned calls)"), group),
        api.Permission(views.VIEW_ALL, _l("See every agent's missed calls"), group),
        api.Permission(views.MANAGE, _l("Map extensions to users; see calls to unknown extensions"), group),
    ]


@api.hookimpl
def notification_kinds():
    return [api.NotificationKind("telephony.missed", _l("Missed calls to call back"))]


@api.hookimpl
def nav_items(user):
    items = []
    if api.can(user, views.VIEW):
        items.append(api.NavItem(_l("Missed calls"), endpoint="telephony.queue", order=820, group="tools"))
    if api.can(user, views.MANAGE):
        items.append(api.NavItem(_l("Telephony"), endpoint="telephony.admin", order=960, group="admin"))
    return items




@api.hookimpl
def api_paths(entity, user):
    """The webhook, documented beside the activity's own operations."""
    return openapi.paths() if entity.key == "activity" else {}


@api.hookimpl
def entity_extensions():
    """A call's activity shows the number the client dialled and that number's lead source."""
    return [api.EntityExtension("activity", tracking.ActivityFields, label=_l("Telephony"))]


@api.hookimpl
def intake_sources():
    return [api.IntakeSource(tracking.CHANNEL, _l("Phone calls"), _l("A lead from a caller nobody knows, with the source of the number they dialled."))]


@api.hookimpl
def page_fragments(user):
    """The incoming-call cards' region, on every page of whoever takes calls."""
    return ["telephony/live.html"] if user.is_authenticated and api.can(user, views.VIEW) else []


@api.hookimpl
def phone_actions(entity, record, user):
    """Click-to-call beside every phone of a person, an organisation or a lead."""
    return clicktocall.actions(entity, record, user)


@api.hookimpl
def register_reports():
    """Calls by hour and weekday; answer rate and time to callback per employee or tracking number."""
    from crmkit_telephony import reports

    return reports.register()
