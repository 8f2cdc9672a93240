"""Import and export for every declared entity: pages, `crmkit import` and `crmkit export`."""

from __future__ import annotations

from crmkit import hookimpl
from crmkit.core.transfer.commands import export_command, import_command
from crmkit.core.transfer.models import ImportJob
from crmkit.core.transfer.views import bp


@hookimpl
def register_models():
    return [ImportJob]


@hookimpl
def register_blueprints():
    return [bp]


@hookimpl
def register_commands():
    return [import_command, export_command]
