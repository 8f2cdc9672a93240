"""Files: attachments on any entity's records, stored in the instance folder or an S3-compatible
bucket (docs/files.md). Plugins use ``attach``, ``open_blob`` and ``attachments_of`` (also as
``crmkit.api.attach_file`` and ``crmkit.api.attachments_of``)."""

from crmkit.core.files.checks import Refused
from crmkit.core.files.models import Attachment
from crmkit.core.files.service import attach, attachments_of, detach, files_storage, open_blob

__all__ = ["Attachment", "Refused", "attach", "attachments_of", "detach", "files_storage", "open_blob"]
