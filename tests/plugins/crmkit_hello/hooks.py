"""hello: a table with its own migration lineage and a command that writes to it."""

import click
from sqlmodel import func, select

from crmkit import db, hookimpl

from .models import Greeting


@click.group("hello")
def cli():
    """Greetings from the shell."""


@cli.command("greet")
@click.argument("name")
def greet(name):
    db.session().add(Greeting(name=name))
    db.session().commit()
    click.echo(f"Hello, {name}!")


@cli.command("count")
def count():
    click.echo(db.session().exec(select(func.count()).select_from(Greeting)).one())


@hookimpl
def register_models():
    return [Greeting]


@hookimpl
def register_commands():
    return [cli]
