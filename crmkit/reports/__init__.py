"""Reports: a declaration compiled to one SQL aggregate with visibility applied, and the frame
around it (filter bar, SVG chart, table, drill-down, export, saved reports, mailings).

Plugin authors use these names; see docs/reports.md.
"""

from crmkit.reports.context import Context
from crmkit.reports.declaration import Chart, Column, Dimension, Filter, Measure, Report, Result, Row, Series

__all__ = ["Chart", "Column", "Context", "Dimension", "Filter", "Measure", "Report", "Result", "Row", "Series"]
