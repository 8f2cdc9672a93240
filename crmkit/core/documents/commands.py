"""``crmkit documents defaults``: add the shipped templates to an instance."""

from __future__ import annotations

import click

from crmkit import db as database
from crmkit.core.documents import defaults
from crmkit.i18n import gettext as _


@click.group("documents")
def documents_group():
    """Document templates and the archive."""


@documents_group.command("defaults")
def add_defaults():
    """Add the shipped templates that are missing (an offer and a Word contract in ru, kk and en)."""
    added = defaults.install(database.session())
    database.session().commit()
    click.echo(_("Templates added: %(count)d.", count=len(added)))
