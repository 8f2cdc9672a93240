"""Twenty trivial plugins for the plugin-overhead measurement (see ``make``)."""

from __future__ import annotations

import types
from pathlib import Path

from crmkit import Action, DashboardWidget, NavItem, Panel, hookimpl

FOLDER = Path(__file__).parent
COUNT = 20


def make(number: int) -> types.ModuleType:
    """A plugin module implementing every UI hook, each answering with one small item."""
    module = types.ModuleType(f"bench_trivial_{number}")
    module.__file__ = str(FOLDER / "hooks.py")  # its templates/ folder holds the panel template
    label = f"Plugin {number}"

    @hookimpl
    def nav_items(user):
        return [NavItem(label, url=f"/#plugin-{number}", order=900 + number)]

    @hookimpl
    def template_context(template_name, request):
        return {f"trivial_{number}": number}

    @hookimpl
    def dashboard_widgets(user):
        return [DashboardWidget(label, "trivial_panel.html", {"number": number}, order=900 + number)]

    @hookimpl
    def entity_panels(entity, record, user):
        return [Panel(label, "trivial_panel.html", {"number": number}, order=900 + number)]

    @hookimpl
    def entity_actions(entity, record, user):
        return [Action(label, f"#plugin-{number}", order=900 + number)]

    for hook in (nav_items, template_context, dashboard_widgets, entity_panels, entity_actions):
        setattr(module, hook.__name__, hook)
    return module


def plugins(count: int = COUNT) -> tuple[types.ModuleType, ...]:
    return tuple(make(number) for number in range(1, count + 1))
