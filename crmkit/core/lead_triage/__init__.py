"""Lead triage: the unsorted queue, conversion to a deal, quality control and the leads reports (docs/leads.md)."""
