"""`crmkit perms explain --user EMAIL --entity KEY --record ID`: the admin page's answer in a shell."""

from __future__ import annotations

import click
from flask import current_app

from crmkit import db
from crmkit.core.auth.service import find_user
from crmkit.core.org.service import explain as explain_access
from crmkit.i18n import gettext as _


@click.group("perms")
def perms():
    """Inspect permissions and record visibility."""


@perms.command("explain")
@click.option("--user", "email", required=True, help="The user's email.")
@click.option("--entity", "entity_key", required=True, help="The entity key, e.g. contact.")
@click.option("--record", "record_id", required=True, type=int, help="The record's id.")
def explain(email, entity_key, record_id):
    """Say why a user sees a record or not, and what they may do with it."""
    session = db.session()
    user = find_user(session, email)
    if user is None:
        raise click.ClickException(_("%(email)s: no such user", email=email))
    entities = current_app.extensions["crmkit"].entities
    entity = next((e for e in entities if e.key == entity_key), None)
    if entity is None:
        keys = ", ".join(e.key for e in entities) or "-"
        raise click.ClickException(_("no entity %(key)r; entities: %(keys)s", key=entity_key, keys=keys))
    record = session.get(entity.model, record_id)
    if record is None:
        raise click.ClickException(_("%(entity)s %(id)d: no such record", entity=entity_key, id=record_id))
    result = explain_access(session, user, entity, record)
    click.echo(_("sees: %(answer)s", answer=_("yes") if result.allowed else _("no")))
    click.echo(_("rule: %(reason)s", reason=result.reason))
    for action, allowed in result.abilities.items():
        click.echo(f"{action}: {_('yes') if allowed else _('no')}")
    if not user.is_active:
        click.echo(_("The user is deactivated and can do nothing."))
