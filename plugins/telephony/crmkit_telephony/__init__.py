"""Telephony for crmkit: call events from a cloud PBX become activities, and missed calls a queue
to call back, each with a callback task for the right agent. Written against crmkit.api alone."""
