"""`crmkit webhooks add/list/remove`."""

from __future__ import annotations

import json

import click

from crmkit import db
from crmkit.core.auth.service import find_user
from crmkit.core.webhooks import service
from crmkit.core.webhooks.models import EVENTS, Webhook
from crmkit.i18n import gettext as _


@click.group("webhooks")
def webhooks():
    """Outgoing webhooks: signed POSTs when records change."""


@webhooks.command("add")
@click.argument("url")
@click.option("--entity", default="*", show_default=True, help="Entity key, or * for every entity.")
@click.option("--event", "events", multiple=True, type=click.Choice(("*",) + EVENTS), help="Repeat for several; default: all.")
@click.option("--secret", default=None, help="Signing secret; default: a new random one.")
@click.option("--as-user", "email", default=None, help="Send only records this user may see.")
def add(url, entity, events, secret, email):
    """Add a webhook and print its id and secret."""
    user = None
    if email:
        user = find_user(db.session(), email)
        if user is None:
            raise click.ClickException(_("%(email)s: no such user", email=email))
    try:
        webhook = service.add_webhook(db.session(), url, entity=entity, events=events or ["*"], secret=secret, user=user)
    except service.WebhookError as error:
        raise click.ClickException(str(error)) from error
    click.echo(_("Added webhook %(id)d; its secret: %(secret)s", id=webhook.id, secret=webhook.secret))


@webhooks.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (without secrets).")
def list_command(as_json):
    """Show every webhook."""
    found = service.list_webhooks(db.session())
    if as_json:
        rows = [{k: v for k, v in w.model_dump(mode="json").items() if k != "secret"} for w in found]
        click.echo(json.dumps(rows, indent=2))
        return
    for w in found:
        state = _("on") if w.active else _("off")
        click.echo(f"{w.id}\t{w.entity}\t{','.join(w.events)}\t{state}\t{w.url}")


@webhooks.command("remove")
@click.argument("webhook_id", type=int)
def remove(webhook_id):
    """Remove a webhook and its deliveries."""
    webhook = db.session().get(Webhook, webhook_id)
    if webhook is None:
        raise click.ClickException(_("No webhook %(id)d.", id=webhook_id))
    service.remove_webhook(db.session(), webhook)
    click.echo(_("Removed webhook %(id)d.", id=webhook_id))
