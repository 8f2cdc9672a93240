"""The hooks of crmkit's business frames, beside the kernel's in crmkit/hookspecs.py: automation's
triggers and actions, the caller lookup, lead intake and assignment, notifications, inventory and
demo data. Same layout and rules as the kernel's; the plugin manager takes both modules."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crmkit.hookspecs import hookspec

if TYPE_CHECKING:
    from crmkit.entities.declaration import EntityType
    from crmkit.types import IntakeSource


@hookspec
def automation_triggers() -> list[Any]:
    """Declare triggers that automation rules may start on, beyond the built-in ones.

    A plugin fires its trigger with ``crmkit.core.automation.fire(key, entity, record, **facts)``
    in the record's transaction; the rules using it run there (see docs/automation.md).

    :return: ``crmkit.core.automation.Trigger`` values, each keyed ``<plugin>.<what>``, with its
        parameters (``Param``), the entities it applies to and how its facts match a rule.
    """


@hookspec
def automation_actions() -> list[Any]:
    """Declare actions that automation rules may take, beyond the built-in ones.

    :return: ``crmkit.core.automation.ActionType`` values, each keyed ``<plugin>.<what>``, with
        its parameters, a ``run(context, params)`` that acts in the record's transaction (queue
        outside calls with ``api.enqueue_after_commit``) and a ``describe`` for dry runs.
    """


@hookspec
def caller_lookup(entity: EntityType, record: Any, user: Any) -> dict[str, Any] | None:
    """Add what this plugin knows about a caller to the caller lookup (``/lookup`` and its API).

    Called for each person or organisation holding the looked-up number that the user sees; keep
    it to one or two indexed queries, as the answer is awaited while the phone rings.

    :param entity: the record's entity type (``person`` or ``organization``).
    :param record: the record the number belongs to.
    :param user: the user looking the number up; return only what they may see.
    :return: a JSON-safe dict, shown under ``extras`` by this plugin's name, or None to add nothing.
    """


@hookspec
def intake_sources() -> list[IntakeSource]:
    """Declare the channels leads arrive through (crmkit.api.IntakeSource), for filters, reports
    and the admin's "Lead channels" page; a channel hands each lead to ``crmkit.api.receive_lead``.

    :return: the channels this plugin brings in, ``[]`` for none.
    """


@hookspec
def notification_kinds() -> list[Any]:
    """Declare kinds of in-app notification, so each user can choose which also come by email.

    :return: ``crmkit.api.NotificationKind(key, label, email_default)`` values; ``key`` is what
        ``api.notify(..., kind=key)`` names, prefixed by the plugin (``"automation.rule"``).
    """


@hookspec
def lead_assignment_conditions() -> list[Any]:
    """Offer conditions that lead assignment rules can test (a city, a property type, a language).

    :return: ``crmkit.api.AssignmentCondition(key, label, matches, choices=None)`` values; ``key``
        starts with the plugin's name (``"real_estate.district"``).
    """


@hookspec
def inventory_entities() -> list[Any]:
    """Declare entities as inventory: records that calls, leads, showings and deals can be about
    (a property, a car, a course). The core then offers an "About objects" field on those
    records' forms, panels both ways and ``crmkit.api.link_items`` (docs/inventory.md).

    :return: ``crmkit.api.Inventory(entity, number_fields=(), describe=None)`` values.
    """


@hookspec
def demo_data(demo: Any) -> dict[str, int] | None:
    """Add this plugin's records to the demo company ``crmkit demo`` loads (an agency's objects).

    Called once per load, after the core's staff, counterparties, activities and deals are
    written, in the same transaction (don't commit); the load's report counts what was written.

    :param demo: a ``crmkit.core.demo.plugins.Demo``: ``profile``, ``seed``, ``today``, ``rng`` (the
        plugin's own, from the seed), ``actor``, ``staff`` and ``managers``, the ``people`` and
        ``organizations`` written, ``session``, and ``write(entity_key, items)``, which writes
        records as the core's demo does (schema checks, history, search index).
    :return: counts of rows written other than through ``demo.write`` (links, history tables), by
        name, added to the load's report; or None.
    """
