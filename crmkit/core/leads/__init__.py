"""Leads: requests arriving from every channel into one unsorted queue (see docs/leads.md)."""
