"""`crmkit search reindex [ENTITY]`: rebuild the search index from the tables."""

from __future__ import annotations

import click
from flask import current_app

from crmkit import search
from crmkit.i18n import gettext as _
from crmkit.i18n import ngettext


@click.group("search")
def search_group():
    """Full-text search over every entity's search fields."""


@search_group.command("reindex")
@click.argument("entity", required=False)
def reindex(entity):
    """Rebuild the index of ENTITY (a key like projects.project), or of every entity."""
    registry = current_app.extensions["crmkit"].entities
    if entity and entity not in registry:
        names = ", ".join(e.key for e in registry) or "-"
        raise click.ClickException(_("no entity %(name)r; entities: %(names)s", name=entity, names=names))
    entities = [registry.get(entity)] if entity else list(registry)
    total = sum(search.count_rows(e) for e in entities)
    with click.progressbar(length=total, label=_("Indexing")) as bar:
        done = search.reindex(entities, on_batch=lambda _entity, rows: bar.update(rows))
    click.echo(ngettext("Indexed %(num)d record.", "Indexed %(num)d records.", done))
