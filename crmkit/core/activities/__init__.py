"""Calls, emails, meetings, tasks and notes about any record, and the timeline that shows them."""
