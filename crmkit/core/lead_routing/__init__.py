"""Lead routing: assignment rules and manual assignment, response deadlines, overdue leads (docs/leads.md)."""
