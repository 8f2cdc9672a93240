"""``crmkit real-estate``: the plugin's commands. Other parts add theirs to ``group``
(``from crmkit_real_estate.cli import group``; ``@group.command("rematch")``)."""

from __future__ import annotations

from pathlib import Path

import click

from crmkit import api
from crmkit_real_estate import importing
from crmkit_real_estate.objects import KEY

messages = api.Messages(__name__)
_ = messages.gettext


@click.group("real-estate")
def group():
    """Real estate: import objects, match buyers."""


@group.command("import")
@click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "as_email", required=True, metavar="EMAIL", help="Import as this user (the objects' agent unless an 'agent' column names another).")
def import_command(path, as_email):
    """Import objects from a CSV or XLSX file: one row per object, columns named as the fields
    (kind, deal_type, city, district, street, building, area, rooms, floor, floors, land_area,
    price, currency, number, description...), 'photos' (paths or http(s) addresses separated by ';')
    and 'agent' (an email). All or nothing: any problem and nothing is saved."""
    user = api.find_user(email=as_email)
    if user is None:
        raise click.ClickException(_("No active user has the email %(email)s.", email=as_email))
    try:
        outcome = importing.import_file(path, user)
    except importing.FileProblem as error:
        raise click.ClickException(str(error)) from error
    except api.Forbidden as error:
        raise click.ClickException(_("%(email)s may not create objects.", email=as_email)) from error
    for row, name, message in outcome.errors:
        click.echo(_("row %(row)s, %(field)s: %(message)s", row=row, field=name, message=message), err=True)
    if outcome.errors:
        count = len(outcome.errors)
        click.echo(messages.ngettext("Nothing imported: %(num)s problem.", "Nothing imported: %(num)s problems.", count),
                   err=True)
        raise SystemExit(1)
    api.audit("import", user=user, entity=KEY, file=path.name, created=len(outcome.created), photos=outcome.photos)
    created = len(outcome.created)
    click.echo(" ".join((
        messages.ngettext("Imported %(num)s object.", "Imported %(num)s objects.", created),
        messages.ngettext("%(num)s photo attached.", "%(num)s photos attached.", outcome.photos),
    )))


@group.command("rematch")
@click.option("--days", type=click.IntRange(0, 3650), default=1, show_default=True,
              help="Match the active objects changed in this many last days (0: all of them).")
@click.option("--notify/--dry-run", default=False, help="Tell the buyers' agents, as saving an object does.")
def rematch_command(days, notify):
    """Match active objects against active demands again: after an import or a bulk change that
    told nobody. Pages always match live; this only reports and notifies."""
    from datetime import UTC, datetime, timedelta

    from crmkit_real_estate import alerts

    since = datetime.now(UTC) - timedelta(days=days) if days else datetime(1970, 1, 1, tzinfo=UTC)
    found = alerts.rematch(since, notify)
    for prop, demands, told in found:
        click.echo(_("%(number)s: %(demands)s matching demands, %(agents)s agents notified",
                     number=prop.number, demands=demands, agents=told))
    click.echo(_("%(objects)s objects match active demands.", objects=len(found)))
