"""`crmkit plugin ...`: tools for writing a plugin, which need no instance, database or app.

``crmkit plugin new NAME`` writes a working plugin package (crmkit.scaffold);
``crmkit plugin translations extract|update|compile [PATH]`` keeps its own catalog
(crmkit.plugin_translations). Enabling and listing installed plugins is ``crmkit plugins``.
"""

from __future__ import annotations

from pathlib import Path

import click

from crmkit import plugin_translations as catalogs
from crmkit.i18n import SOURCE_LOCALE
from crmkit.i18n import gettext as _
from crmkit.i18n import ngettext

PATH = click.argument("path", default=".", type=click.Path(exists=True, file_okay=False, path_type=Path))


@click.group("plugin")
def plugin_group():
    """Write a new plugin and keep its translations."""


@plugin_group.group("translations")
def translations_group():
    """A plugin's own catalog: extract its strings, update and compile ru, kk and en.

    PATH is the plugin's package folder or the project folder holding it (default: here).
    """


def package_at(path: Path) -> Path:
    try:
        return catalogs.plugin_package(path)
    except catalogs.CatalogError as error:
        raise click.ClickException(str(error)) from error


@translations_group.command("extract")
@PATH
def extract_command(path):
    """Write translations/messages.pot from the plugin's Python files and templates."""
    pot, count = catalogs.extract(package_at(path))
    click.echo(ngettext("Extracted %(num)d message into %(path)s", "Extracted %(num)d messages into %(path)s",
                        count, path=pot))


@translations_group.command("update")
@PATH
def update_command(path):
    """Extract messages.pot afresh and merge it into each language's messages.po (ru, kk, en),
    creating the missing ones."""
    package = package_at(path)
    try:
        done = catalogs.update(package)
    except catalogs.CatalogError as error:
        raise click.ClickException(str(error)) from error
    for language, created in done:
        po = catalogs.po_of(package, language)
        click.echo(_("Created %(path)s", path=po) if created else _("Updated %(path)s", path=po))
    click.echo(_("Translate the empty msgstr entries, then run `crmkit plugin translations compile`."))


@translations_group.command("compile")
@PATH
def compile_command(path):
    """Compile every messages.po to the messages.mo crmkit reads; fuzzy entries are left out."""
    try:
        counts = catalogs.compile_all(package_at(path))
    except catalogs.CatalogError as error:
        raise click.ClickException(str(error)) from error
    report(counts)


def report(counts: list[catalogs.Counts]) -> None:
    for found in counts:
        click.echo(
            _(
                "%(language)s: %(translated)d of %(total)d translated, %(fuzzy)d fuzzy (left out)",
                language=found.language,
                translated=found.translated,
                total=found.total,
                fuzzy=found.fuzzy,
            )
        )
    if any(found.untranslated for found in counts if found.language != SOURCE_LOCALE):  # English: the msgids
        click.echo(_("Untranslated messages are shown in the core's translation when it has one, else in English."))


@plugin_group.command("new")
@click.argument("name")
@click.option("--path", "target", type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the project into (default: ./NAME).")
@click.option("--entity", default="item", show_default=True, help="Name of the plugin's first entity type.")
def new_command(name, target, entity):
    """Write a new, installable plugin called NAME: package, entity, migration, template,
    catalog, README and test."""
    from crmkit import scaffold

    try:
        folder, counts = scaffold.create(name, target or Path(name), entity)
    except scaffold.ScaffoldError as error:
        raise click.ClickException(str(error)) from error
    report(counts)
    click.echo(_("Wrote the plugin %(name)s to %(path)s. Next:", name=name, path=folder))
    for step in (
        f"pip install -e {folder}",
        f"crmkit plugins enable {name}",
        "crmkit serve",
    ):
        click.echo(f"  {step}")
    click.echo(_("Its tests: cd %(path)s && python -m pytest", path=folder))
