"""The mailbox channel: IMAP mailboxes polled by a job, a lead per new message (docs/leads.md)."""
