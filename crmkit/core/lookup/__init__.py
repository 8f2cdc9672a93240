"""Caller lookup: who is calling, from a phone number in any format."""
