"""`crmkit demo`, and the report serve's first run prints after loading the same company."""

from __future__ import annotations

import sys

import click
from sqlalchemy import select

from crmkit import db
from crmkit.core.access.models import Department
from crmkit.core.demo.loader import SIZES, DemoError, Outcome, load
from crmkit.core.demo.profiles import DEFAULT, PROFILES
from crmkit.i18n import gettext as _
from crmkit.i18n import ngettext


def load_and_report(size: str = "small", seed: int | None = None, force: bool = False, today=None,
                    profile: str = DEFAULT) -> Outcome:
    """Load the demo with a progress bar, then say what was made and how its staff log in."""
    session = db.session()
    try:
        with click.progressbar(length=sum(SIZES[size][:3]), label=_("Loading the demo company"), file=sys.stderr) as bar:
            outcome = load(session, size, seed, force, today, progress=bar.update, profile=profile)
    except DemoError as error:
        raise click.ClickException(
            _("A demo company has been loaded into this database already; add --force to load another one.")
        ) from error
    report(outcome)
    return outcome


def report(outcome: Outcome) -> None:
    counts = outcome.counts
    made = ", ".join((
        ngettext("%(num)d organisation", "%(num)d organisations", counts.get("organization", 0)),
        ngettext("%(num)d person", "%(num)d people", counts.get("person", 0)),
        ngettext("%(num)d activity", "%(num)d activities", counts.get("activity", 0)),
        ngettext("%(num)d deal", "%(num)d deals", counts.get("deal", 0)),
    ))
    click.echo(_("Loaded a demo company (seed %(seed)d): %(made)s.", seed=outcome.seed, made=made))
    if not outcome.users:
        return
    click.echo(_("Its staff can log in with these passwords, shown only now (change one with "
                 "`crmkit user password EMAIL`):"))
    ids = {user.department_id for user, _password in outcome.users}
    names = dict(db.session().execute(select(Department.id, Department.name).where(Department.id.in_(ids))).all())
    rows = [(user.email, password, user.role, names.get(user.department_id, ""), user.name) for user, password in outcome.users]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        click.echo("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, [*widths, 0], strict=True)).rstrip())


@click.command("demo")
@click.option("--size", type=click.Choice(tuple(SIZES)), default="small", show_default=True,
              help="small: ~20 organisations, 150 people, 2,000 activities, 240 deals (the trading company 120); "
                   "medium ten times that; large a hundred.")
@click.option("--profile", type=click.Choice(tuple(PROFILES)), default=DEFAULT, show_default=True,
              help="agency: a real-estate agency in Almaty and Astana (buyers, sellers, tenants, landlords); "
                   "trading: a building-materials trader with an equipment rental.")
@click.option("--seed", type=int, help="Make the same company again: the same seed gives the same data.")
@click.option("--force", is_flag=True, help="Load another demo company even though one was loaded before.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), hidden=True, help="Build the year up to this day.")
def demo_command(size, profile, seed, force, today):
    """Fill the database with a demo company: staff, organisations, people, a year of their activities and deals."""
    load_and_report(size, seed, force, today.date() if today else None, profile)
