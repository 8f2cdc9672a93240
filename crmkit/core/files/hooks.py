"""Files as a built-in plugin: attachments on every entity's records (a panel, the timeline, the
REST API), stored in the instance folder or an S3-compatible bucket, and `crmkit files cleanup`."""

from __future__ import annotations

from crmkit import hookimpl
from crmkit.core.files import api, cleanup, panel, service, views
from crmkit.core.files.models import Attachment

SETTINGS = {
    "FILES_URL": None,  # s3://bucket/prefix, a folder, or None for the instance's files/
    "FILES_S3_ENDPOINT_URL": None,  # an S3-compatible server (MinIO, Ceph...); None: AWS
    "FILES_S3_REGION": None,
    "FILES_S3_ACCESS_KEY": None,  # None: boto3 reads AWS_ACCESS_KEY_ID and its other sources
    "FILES_S3_SECRET_KEY": None,
    "FILES_MAX_SIZE": service.DEFAULT_MAX_SIZE,  # bytes, per file
    "FILES_MAX_IMAGE_PIXELS": service.DEFAULT_MAX_PIXELS,
}


@hookimpl
def register_models():
    return [Attachment]


@hookimpl
def init_app(app):
    for name, value in SETTINGS.items():
        app.config.setdefault(name, value)
    api.register(app)


@hookimpl
def register_blueprints():
    return [views.bp]


@hookimpl
def register_commands():
    return [cleanup.files_group]


@hookimpl
def entity_panels(entity, record, user):
    found = panel.panel(entity, record, user)
    return [found] if found is not None else []


@hookimpl
def timeline_entries(entity, record, user, before, limit):
    return panel.timeline_entries(entity, record, user, before, limit)


@hookimpl
def entity_event(event, entity, record):
    """A record's files are archived and restored with it."""
    if event in ("after_archive", "after_restore"):
        service.set_archived(entity, record.id, event == "after_archive")


@hookimpl
def api_paths(entity, user):
    return api.paths(entity)
