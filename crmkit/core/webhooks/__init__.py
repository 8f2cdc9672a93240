"""Outgoing webhooks: signed POSTs for entity events, sent from an outbox and retried with backoff."""
