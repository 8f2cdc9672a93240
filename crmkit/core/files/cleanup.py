"""`crmkit files cleanup`: after a crash, remove what no row uses and report rows without a file.

A process killed mid-upload can leave a temporary file (before the rename or PUT) or a whole blob
whose row never committed. Both are removed once older than ``--older-than`` minutes, so an upload
still in flight elsewhere is left alone (and were it caught anyway, its commit checks the blob and
fails rather than keep a row without a file). Rows whose blob is missing are listed, and deleted
with ``--delete-missing``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import click
from sqlalchemy import select

from crmkit import db
from crmkit.core.files import storage
from crmkit.core.files.models import Attachment
from crmkit.core.files.service import files_storage
from crmkit.i18n import gettext as _

BATCH = 1000


@dataclass
class Report:
    temporary: int = 0
    orphans: int = 0
    thumbnails: int = 0
    missing: list[Attachment] = field(default_factory=list)


def key_of(name: str) -> tuple[str, str | None]:
    """``("blob", sha)``, ``("thumb", sha)`` or ``("other", None)`` for a name in storage."""
    if name.startswith("thumbs/"):
        return "thumb", name.rsplit("/", 1)[-1].split("-", 1)[0]
    parts = name.split("/")
    if len(parts) == 3 and len(parts[2]) == 64 and parts[2].startswith(parts[0] + parts[1]):
        return "blob", parts[2]
    return "other", None


def used(session, shas: set[str]) -> set[str]:
    found: set[str] = set()
    ordered = sorted(shas)
    for start in range(0, len(ordered), BATCH):
        chunk = ordered[start:start + BATCH]
        found |= set(session.execute(select(Attachment.sha256).where(Attachment.sha256.in_(chunk))).scalars())
    return found


def cleanup(session, blobs: storage.Storage, older_than: float, delete_missing: bool = False) -> Report:
    report, cutoff = Report(), time.time() - older_than
    stored: dict[str, list[storage.Stored]] = {}
    whole: set[str] = set()
    for item in list(blobs.listing()):
        if item.temporary:
            if item.modified <= cutoff:
                blobs.delete(item.name)
                report.temporary += 1
            continue
        kind, sha = key_of(item.name)
        if sha is not None:
            stored.setdefault(sha, []).append(item)
            if kind == "blob":
                whole.add(sha)
    referenced = used(session, set(stored))
    for sha, items in stored.items():
        if sha in referenced:
            continue
        for item in items:
            if item.modified <= cutoff:
                blobs.delete(item.name)
                if key_of(item.name)[0] == "thumb":
                    report.thumbnails += 1
                else:
                    report.orphans += 1
    last_id = 0
    while True:
        rows = list(session.execute(select(Attachment).where(Attachment.id > last_id)
                                    .order_by(Attachment.id).limit(BATCH)).scalars())
        if not rows:
            break
        last_id = rows[-1].id
        for row in rows:
            present = row.sha256 in whole or blobs.exists(row.sha256)
            if not present:
                report.missing.append(row)
    if delete_missing and report.missing:
        for row in report.missing:
            session.delete(row)
        session.commit()
    return report


@click.group("files")
def files_group():
    """Attachments' storage."""


@files_group.command("cleanup")
@click.option("--older-than", type=float, default=60.0, show_default=True,
              help="Minutes: leave newer unused blobs and temporary files alone (uploads in flight).")
@click.option("--delete-missing", is_flag=True, help="Delete the rows whose file is missing.")
def cleanup_command(older_than: float, delete_missing: bool):
    """Remove blobs no attachment uses and crashed uploads' temporary files; report rows without a file."""
    report = cleanup(db.session(), files_storage(), older_than * 60, delete_missing)
    click.echo(_("Temporary files removed: %(n)d. Unused blobs removed: %(blobs)d. Thumbnails removed: %(thumbs)d.",
                 n=report.temporary, blobs=report.orphans, thumbs=report.thumbnails))
    for row in report.missing:
        click.echo(_("Attachment %(id)d (%(name)s on %(entity)s #%(record)d) has no file.",
                     id=row.id, name=row.original_name, entity=row.entity, record=row.record_id), err=True)
    if report.missing and not delete_missing:
        click.echo(_("Attachments without a file: %(n)d; run again with --delete-missing to delete them.",
                     n=len(report.missing)), err=True)
        raise SystemExit(1)
    if report.missing:
        click.echo(_("Attachments without a file deleted: %(n)d.", n=len(report.missing)))
