import click
from flask import Blueprint, redirect, render_template, request, url_for
from sqlmodel import func, select

from crmkit import NavItem, db, hookimpl
from tests.plugins.notebook import __version__  # noqa: F401 - the plugin's version
from tests.plugins.notebook.models import Note

bp = Blueprint("notebook", __name__, url_prefix="/notebook")


@bp.route("/", methods=["GET", "POST"])
def index():
    if request.method == "POST":
        db.session().add(Note(title=request.form["title"]))
        db.session().commit()
        return redirect(url_for("notebook.index"))
    notes = db.session().exec(select(Note).order_by(Note.id.desc()).limit(50)).all()
    return render_template("notebook/index.html", notes=notes)


@click.group("notebook")
def cli():
    """Notes from the shell."""


@cli.command("add")
@click.argument("title")
def add(title):
    db.session().add(Note(title=title))
    db.session().commit()
    click.echo(f"Added {title}")


@cli.command("count")
def count():
    click.echo(db.session().exec(select(func.count()).select_from(Note)).one())


@hookimpl
def register_models():
    return [Note]


@hookimpl
def register_blueprints():
    return [bp]


@hookimpl
def register_commands():
    return [cli]


@hookimpl
def nav_items(user):
    return [NavItem("Notebook", endpoint="notebook.index", order=50)]
