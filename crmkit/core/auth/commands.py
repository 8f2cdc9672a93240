"""`crmkit user ...`: create users and set passwords from a shell."""

from __future__ import annotations

import click

from crmkit import db
from crmkit.core.auth.service import UserError, change_password, create_user, find_user
from crmkit.i18n import gettext as _


@click.group()
def user():
    """Manage users."""


@user.command("create")
@click.argument("email")
@click.option("--name", default="", help="Full name.")
@click.option("--admin", is_flag=True, help="Give the user every permission.")
@click.password_option(help="Prompted for when not given.")
def create(email, name, admin, password):
    """Create a user."""
    try:
        created = create_user(db.session(), email, password, name=name, is_admin=admin)
    except UserError as exc:
        raise click.ClickException(f"{email}: {exc}") from exc
    if admin:
        click.echo(_("Created %(email)s (administrator)", email=created.email))
    else:
        click.echo(_("Created %(email)s", email=created.email))


@user.command("password")
@click.argument("email")
@click.password_option(help="Prompted for when not given.")
def password(email, password):
    """Set a user's password; their sessions end."""
    found = find_user(db.session(), email)
    if found is None:
        raise click.ClickException(_("%(email)s: no such user", email=email))
    try:
        change_password(db.session(), found, password)
    except UserError as exc:
        raise click.ClickException(f"{email}: {exc}") from exc
    click.echo(_("Password changed for %(email)s", email=found.email))
