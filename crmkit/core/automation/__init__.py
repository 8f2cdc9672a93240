"""Automation: rules of trigger, conditions and actions on every entity (docs/automation.md).

Plugins add triggers and actions through the ``automation_triggers`` and ``automation_actions``
hooks with the values below, and fire their own triggers with ``fire``.
"""

from crmkit.core.automation.catalog import ActionType, Context, Param, Trigger
from crmkit.core.automation.engine import fire

__all__ = ["ActionType", "Context", "Param", "Trigger", "fire"]
