"""The embeddable web form channel: forms admins make, pasted into any site, posting leads."""
