"""`crmkit user token EMAIL`: make an API token from a shell; it is printed once."""

from __future__ import annotations

import click

from crmkit import db
from crmkit.core.api.tokens import create_token
from crmkit.core.auth.service import find_user
from crmkit.i18n import gettext as _


@click.command("token")
@click.argument("email")
@click.option("--name", default="", help="What the token is for, to tell it apart later.")
def token(email, name):
    """Make an API token for a user and print it once."""
    user = find_user(db.session(), email)
    if user is None:
        raise click.ClickException(_("%(email)s: no such user", email=email))
    if not user.is_active:
        raise click.ClickException(_("%(email)s: the user is deactivated", email=email))
    _row, secret = create_token(db.session(), user, name)
    click.echo(secret)
    click.echo(_("Keep this token now: it is shown only once."), err=True)
