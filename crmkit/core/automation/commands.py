"""`crmkit rules export [FILE]`, `crmkit rules diff FILE`, `crmkit rules apply FILE`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from crmkit import db
from crmkit.core.auth.service import find_user
from crmkit.core.automation import portable
from crmkit.i18n import gettext as _


@click.group("rules")
def rules():
    """Automation rules as YAML files: export, compare and apply them between instances."""


@rules.command("export")
@click.argument("file", required=False, type=click.Path(dir_okay=False, writable=True))
def export(file):
    """Write every rule as YAML to FILE (default: standard output)."""
    text = portable.export(db.session())
    if file:
        Path(file).write_text(text, encoding="utf-8")
        click.echo(_("Rules written to %(file)s.", file=file), err=True)
    else:
        sys.stdout.write(text)


def _read(file) -> str:
    try:
        return Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise click.ClickException(_("%(file)s can't be read: %(error)s", file=file, error=error)) from error


def _fail(file, error: portable.FileProblems):
    for line, message in error.problems:
        click.echo(_("%(file)s, line %(line)s: %(message)s", file=file, line=line, message=message)
                   if line else f"{file}: {message}", err=True)
    sys.exit(1)


@rules.command("diff")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def diff(file):
    """Show what applying FILE would change, as a diff from this instance's rules."""
    try:
        text = portable.diff(db.session(), _read(file), file)
    except portable.FileProblems as error:
        _fail(file, error)
    click.echo(text or _("No changes: the rules of this instance are those of %(file)s.", file=file), nl=not text)


@rules.command("apply")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--as-user", "email", required=True, help="The user the rules act as (an admin, usually).")
def apply(file, email):
    """Make this instance's rules those of FILE: every rule is checked first, then all are saved
    (rules not in the file are removed), or, on any problem, none."""
    user = find_user(db.session(), email)
    if user is None:
        raise click.ClickException(_("%(email)s: no such user", email=email))
    try:
        done = portable.apply(db.session(), _read(file), user)
    except portable.FileProblems as error:
        _fail(file, error)
    click.echo(_("Rules applied: %(added)d added, %(changed)d changed, %(removed)d removed.",
                 added=len(done["added"]), changed=len(done["changed"]), removed=len(done["removed"])))
