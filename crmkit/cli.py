"""The `crmkit` command: a Flask CLI group, so `flask --app crmkit ...` works the same.

`init` and `serve` live here rather than in a plugin because they must run before the
instance folder has a secret key, that is, before an app can be built. Every other command
comes from plugins through the register_commands hook.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import FlaskGroup, ScriptInfo
from sqlmodel import select

from crmkit import config, db, statistics
from crmkit.config import ConfigError
from crmkit.core.auth.models import User
from crmkit.core.auth.policy import generate_password
from crmkit.core.auth.service import UserError, create_user
from crmkit.i18n import gettext as _
from crmkit.migrate import MigrationError, upgrade_all
from crmkit.plugin_cli import plugin_group
from crmkit.plugins import PluginError, switch_on


def make_app() -> Flask:
    from crmkit.app import create_app

    return create_app()


class CrmkitGroup(FlaskGroup):
    """Reports configuration and plugin problems as one clear line instead of a traceback."""

    def list_commands(self, ctx):
        try:
            ctx.ensure_object(ScriptInfo).load_app()
        except (ConfigError, PluginError, MigrationError) as exc:
            click.secho(_("Error: %(error)s", error=exc) + "\n", err=True, fg="red")
            return sorted(self.commands)
        return super().list_commands(ctx)

    def get_command(self, ctx, name):
        try:
            return super().get_command(ctx, name)
        except (ConfigError, PluginError, MigrationError) as exc:
            raise click.ClickException(str(exc)) from exc


cli = CrmkitGroup(create_app=make_app, help="crmkit: a plugin-based CRM.")


def instance_folder() -> Path:
    return Path(Flask("crmkit", instance_path=config.instance_path(), instance_relative_config=True).instance_path)


def ensure_secret_key(folder: Path) -> None:
    """Write a random SECRET_KEY to instance/config.py unless one is configured already."""
    path = folder / "config.py"
    if os.environ.get("CRMKIT_SECRET_KEY") or path.exists():
        return
    folder.mkdir(parents=True, exist_ok=True)
    # Created owner-only from the start (no moment at the umask's mode), and never over another file.
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as file:
        file.write(f"SECRET_KEY = {secrets.token_hex(32)!r}\n")
    click.echo(_("Wrote a new secret key to %(path)s", path=path))


def migrate(app: Flask) -> None:
    lineages = app.extensions["crmkit"].lineages
    with click.progressbar(lineages, label=_("Upgrading the database")) as bar:
        upgrade_all(db.engine_of(app), bar)


def ensure_admin(app: Flask, email: str | None, password: str | None, interactive: bool) -> tuple[str, str | None]:
    """Create the first admin when there are no users; return their email and any new password.

    Never a default password: it comes from the caller, a prompt, or is generated and shown once.
    """
    with app.app_context():
        session = db.session()
        existing = session.exec(select(User).order_by(User.id)).first()
        if existing is not None:
            return existing.email, None
        email = email or (click.prompt(_("Admin email")) if interactive else "admin@example.com")
        generated = None
        if not password:
            if interactive:
                password = click.prompt(_("Admin password"), hide_input=True, confirmation_prompt=True)
            else:
                password = generated = generate_password(email, "Admin")
        try:
            # A generated password is one-time: the first browser login asks for a real email and password.
            create_user(session, email, password, name="Admin", is_admin=True, must_change_password=generated is not None)
        except UserError as exc:
            raise click.ClickException(_("Administrator %(email)s: %(error)s", email=email, error=exc)) from exc
        return email, generated


def setup(interactive: bool) -> tuple[Flask, str, str | None, bool]:
    """The app, the admin's email, their password when generated, and whether this run made the admin."""
    ensure_secret_key(instance_folder())
    try:
        app = make_app()
        migrate(app)
    except (ConfigError, PluginError, MigrationError) as exc:
        raise click.ClickException(str(exc)) from exc
    with app.app_context():
        first_run = db.session().exec(select(User.id)).first() is None
    email, password = ensure_admin(
        app, os.environ.get("CRMKIT_ADMIN_EMAIL"), os.environ.get("CRMKIT_ADMIN_PASSWORD"), interactive
    )
    return app, email, password, first_run


@cli.command("init", with_appcontext=False)
def init_command():
    """Create the instance folder, its secret key, the database and the first admin.

    The admin comes from CRMKIT_ADMIN_EMAIL and CRMKIT_ADMIN_PASSWORD when set, else prompts.
    """
    app, email, password, _first_run = setup(interactive=sys.stdin.isatty())
    click.echo(
        _(
            "crmkit is ready in %(folder)s (database: %(database)s); administrator: %(email)s",
            folder=app.instance_path,
            database=db.safe_url(app.config["DATABASE_URL"]),
            email=email,
        )
    )
    if password:  # generated without a terminal to ask: this is the only time it is shown
        click.echo(
            _(
                "Log in as %(email)s with the password %(password)s (shown once; the first login "
                "asks for your real email address and a password of your own).",
                email=email,
                password=password,
            )
        )


@cli.command("serve", with_appcontext=False)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@click.option("--no-demo", is_flag=True, help="On the first run, start empty instead of with a demo company.")
@click.option("--no-worker", is_flag=True, help="Leave background jobs to a separate `crmkit worker`.")
def serve_command(host, port, threads, no_demo, no_worker):
    """Set up on first run (with a demo company unless --no-demo or CRMKIT_DEMO=0), then serve crmkit
    (waitress) with its background jobs in the same process. For production, see the README."""
    import waitress

    from crmkit.core.jobs.commands import start_in_process

    app, email, password, first_run = setup(interactive=False)
    if first_run and not no_demo and switch_on(os.environ.get("CRMKIT_DEMO", "1")):
        from crmkit.core.demo.commands import load_and_report

        with app.app_context():
            load_and_report()
    with db.engine_of(app).begin() as connection:  # lists walk their index from the first request
        statistics.refresh(connection)
    shown_host = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::") else host
    click.echo("\n" + _("crmkit is running at %(url)s", url=f"http://{shown_host}:{port}/"))
    if password:
        click.echo(
            _(
                "Log in as %(email)s with the password %(password)s (shown once; the first login "
                "asks for your real email address and a password of your own).",
                email=email,
                password=password,
            )
        )
    else:
        click.echo(_("Log in as %(email)s; forgot the password? `crmkit user password %(email)s`.", email=email))
    worker = None if no_worker else start_in_process(app)
    try:
        waitress.serve(app, host=host, port=port, threads=threads, ident="crmkit", _quiet=True)
    finally:
        if worker is not None:
            worker.stop(graceful=True)


# Tools for plugin authors: they need no instance or app, so they are the group's own commands.
cli.add_command(plugin_group)


def main() -> None:
    cli.main(prog_name="crmkit")
