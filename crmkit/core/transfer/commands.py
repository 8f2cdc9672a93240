"""`crmkit import ENTITY FILE` and `crmkit export ENTITY`, acting as a user (``--as EMAIL``)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select

from crmkit import audit, db
from crmkit.core.auth.models import User
from crmkit.core.transfer import exporter, mapping, reading
from crmkit.core.transfer.importer import Importer, resumable_job
from crmkit.core.transfer.models import MODES, ImportJob
from crmkit.entities.errors import Forbidden
from crmkit.entities.listing import ListError
from crmkit.entities.service import Records
from crmkit.i18n import gettext as _


def entity_named(key: str):
    entities = current_app.extensions["crmkit"].entities
    if key not in entities:
        known = ", ".join(e.key for e in entities) or "-"
        raise click.ClickException(_("no entity %(key)r; entities: %(known)s", key=key, known=known))
    return entities.get(key)


def acting_user(email: str | None) -> User:
    """The user named by --as, or the first admin."""
    session = db.session()
    if email:
        user = session.execute(select(User).where(User.email == email.strip().lower())).scalar_one_or_none()
    else:
        user = session.execute(select(User).where(User.role == "admin").order_by(User.id)).scalars().first()
    if user is None or not user.is_active:
        raise click.ClickException(_("no active user %(email)s", email=email or "admin"))
    return user


def print_errors(errors, entity) -> None:
    for row, field_name, message in errors:
        label = entity.field_label(field_name) if field_name in entity.schema._declared_fields else field_name
        click.echo(_("row %(row)s, %(field)s: %(message)s", row=row, field=f"{label} ({field_name})", message=message), err=True)


@click.command("import")
@click.argument("entity_key", metavar="ENTITY")
@click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--map", "pairs", multiple=True, metavar="COLUMN=FIELD", help="Map a file column to a field.")
@click.option("--dedup", type=click.Choice(MODES), default="skip", show_default=True, help="What to do with duplicates.")
@click.option("--dry-run", is_flag=True, help="Check every row and report; save nothing.")
@click.option("--as", "as_email", metavar="EMAIL", help="Import as this user (default: the first admin).")
def import_command(entity_key, path, pairs, dedup, dry_run, as_email):
    """Import a CSV or XLSX file into an entity; an interrupted run continues where it stopped."""
    entity = entity_named(entity_key)
    user = acting_user(as_email)
    session = db.session()
    try:
        table = reading.open_table(path)
        chosen = mapping.apply_overrides(entity, table.columns, mapping.automap(entity, table.columns), list(pairs))
        importer = Importer(entity, user, session, chosen, dedup)
    except (reading.FileError, mapping.MappingError) as error:
        raise click.ClickException(str(error)) from error
    except Forbidden as error:
        raise click.ClickException(_("%(user)s may not import %(entity)s", user=user.email, entity=entity.key)) from error
    if not chosen:
        raise click.ClickException(_("no file column matches a field of %(entity)s; use --map COLUMN=FIELD", entity=entity.key))
    shown = ", ".join(f"{table.columns[int(i)]} → {f}" for i, f in chosen.items())
    click.echo(_("Columns: %(mapping)s", mapping=shown), err=True)
    job = None
    if not dry_run:
        digest = reading.file_hash(path)
        job = resumable_job(session, entity, user, digest, chosen, dedup)
        if job is not None:
            click.echo(_("Continuing the interrupted import after row %(row)d.", row=job.rows_done), err=True)
        else:
            job = ImportJob(entity=entity.key, file_name=path.name, file_hash=digest, mapping=chosen, mode=dedup, user_id=user.id, status="running")
            session.add(job)
            session.commit()
        job.rows_total = total = table.count()
    else:
        total = table.count()
    done = (job.rows_done - 1) if job else 0
    with click.progressbar(length=total, label=_("Importing"), file=sys.stderr) as bar:
        bar.update(done)
        outcome = importer.run(table.rows(), dry_run=dry_run, job=job, progress=bar.update)
    print_errors(outcome.errors, entity)
    if job is not None:
        audit.record("import", user=user, entity=entity.key, file=job.file_name, job=job.id, created=outcome.created,
                     updated=outcome.updated, skipped=outcome.skipped, bad=outcome.bad)
    summary = _(
        "%(created)d created, %(updated)d updated, %(skipped)d skipped, %(bad)d bad rows",
        created=outcome.created,
        updated=outcome.updated,
        skipped=outcome.skipped,
        bad=outcome.bad,
    )
    if dry_run:
        click.echo(_("Dry run, nothing saved: %(summary)s", summary=summary))
    else:
        click.echo(_("Imported: %(summary)s", summary=summary))
    if outcome.errors:
        raise SystemExit(1)


@click.command("export")
@click.argument("entity_key", metavar="ENTITY")
@click.argument("filters", nargs=-1, metavar="[FIELD=VALUE]...")
@click.option("--format", "kind", type=click.Choice(reading.FORMATS), default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), help="File to write (default: standard output).")
@click.option("--sort", default="", help="A sort key, - for descending.")
@click.option("--as", "as_email", metavar="EMAIL", help="Export what this user sees (default: the first admin).")
def export_command(entity_key, filters, kind, output, sort, as_email):
    """Export the records a user sees, filtered like the list (status=active due__gte=2026-01-01)."""
    entity = entity_named(entity_key)
    user = acting_user(as_email)
    records = Records(entity, user)
    if not (records.can("export") and records.can("view")):
        raise click.ClickException(_("%(user)s may not export %(entity)s", user=user.email, entity=entity.key))
    given = {}
    for pair in filters:
        name, sep, value = pair.partition("=")
        if not sep:
            raise click.ClickException(_("filters take FIELD=VALUE, not %(pair)r", pair=pair))
        given[name] = value
    audit.record("export", user=user, entity=entity.key, format=kind, filters=given, sort=sort)
    try:
        if kind == "xlsx":
            data = exporter.xlsx_file(records, given, sort)
            target = open(output, "wb") if output else click.get_binary_stream("stdout")
            for block in iter(lambda: data.read(1 << 20), b""):
                target.write(block)
        else:
            target = open(output, "w", encoding="utf-8", newline="") if output else None
            for text in exporter.csv_chunks(records, given, sort):
                target.write(text) if target else click.echo(text, nl=False)
    except ListError as error:
        raise click.ClickException(str(error)) from error
    if target is not None and output:
        target.close()
        click.echo(_("Wrote %(path)s", path=output), err=True)
