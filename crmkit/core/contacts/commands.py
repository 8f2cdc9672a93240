"""`crmkit contacts vcard-export` and `crmkit contacts vcard-import`, acting as a user (``--as EMAIL``)."""

from __future__ import annotations

from contextlib import nullcontext
from itertools import chain
from pathlib import Path

import click

from crmkit import audit
from crmkit.core.contacts import vcard
from crmkit.core.contacts.vcard_import import import_cards
from crmkit.core.transfer.commands import acting_user
from crmkit.entities.errors import Forbidden
from crmkit.entities.listing import ListError
from crmkit.entities.service import Records
from crmkit.i18n import gettext as _
from crmkit.i18n import ngettext


@click.group("contacts")
def contacts():
    """People and organisations: vCards in and out."""


@contacts.command("vcard-export")
@click.argument("filters", nargs=-1, metavar="[FIELD=VALUE]...")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), help="File to write (default: standard output).")
@click.option("--vcard-version", type=click.Choice(vcard.VERSIONS), default="3.0", show_default=True)
@click.option("--as", "as_email", metavar="EMAIL", help="Export the people this user sees (default: the first admin).")
def vcard_export(filters, output, vcard_version, as_email):
    """Export people as vCards, filtered like their list (is_client=1 segment=a)."""
    user = acting_user(as_email)
    records = Records(vcard.entity("person"), user)
    if not (records.can("export") and records.can("view")):
        raise click.ClickException(_("%(user)s may not export %(entity)s", user=user.email, entity="person"))
    given = {}
    for pair in filters:
        name, sep, value = pair.partition("=")
        if not sep:
            raise click.ClickException(_("filters take FIELD=VALUE, not %(pair)r", pair=pair))
        given[name] = value
    cards = vcard.export(records, given, vcard_version)
    try:
        first = next(cards, "")
    except ListError as error:
        raise click.ClickException(str(error)) from error
    audit.record("export", user=user, entity="person", format="vcard", filters=given)
    with open(output, "w", encoding="utf-8", newline="") if output else nullcontext() as target:
        for text in chain([first], cards):
            target.write(text) if target else click.echo(text, nl=False)
    if output:
        click.echo(_("Wrote %(path)s", path=output), err=True)


@contacts.command("vcard-import")
@click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--update", is_flag=True, help="Update people already known by phone or email instead of skipping them.")
@click.option("--as", "as_email", metavar="EMAIL", help="Import as this user (default: the first admin).")
def vcard_import(path, update, as_email):
    """Import a .vcf file of people: all its cards, or none when any is not valid."""
    user = acting_user(as_email)
    try:
        outcome = import_cards(vcard.parse(path.read_bytes()), user, update=update)
    except vcard.VCardError as error:
        raise click.ClickException(str(error)) from error
    except Forbidden as error:
        raise click.ClickException(_("%(user)s may not import %(entity)s", user=user.email, entity="person")) from error
    if outcome.problems:
        entity = vcard.entity("person")
        for problem in outcome.problems:
            for name, messages in problem.errors.items():
                label = f"{entity.field_label(name)} ({name})" if name in entity.schema._declared_fields else _("card")
                for message in messages:
                    click.echo(_("card %(number)d (%(name)s), %(field)s: %(message)s", number=problem.number,
                                 name=problem.name or "—", field=label, message=message), err=True)
        bad = len(outcome.problems)
        click.echo(ngettext("Nothing imported: %(num)d card is not valid.", "Nothing imported: %(num)d cards are not valid.", bad), err=True)
        raise SystemExit(1)
    audit.record("import", user=user, entity="person", format="vcard", file=path.name, created=len(outcome.created),
                 updated=len(outcome.updated), skipped=outcome.skipped)
    click.echo(_("vCards imported: %(created)d created, %(updated)d updated, %(skipped)d skipped.",
                 created=len(outcome.created), updated=len(outcome.updated), skipped=outcome.skipped))
