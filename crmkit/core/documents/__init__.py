"""Documents: templates (HTML rendered to PDF), documents generated from records with their number
and version, stored as attachments, and the archive of them (the ``document`` entity)."""
