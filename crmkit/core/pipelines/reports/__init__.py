"""The pipelines' reports: the sales funnel (by period, side by side by office, department or
employee, and as of a date from the transition history) and the losses (reasons and competitors).
Every figure is one SQL aggregate over the deals the reader sees; see docs/reports.md."""

from crmkit.core.pipelines.reports import indexes  # noqa: F401 - the funnel's index, in the metadata with its table


def declared() -> list:
    """The reports the pipelines plugin registers (``register_reports``)."""
    from crmkit.core.pipelines.reports import funnel, losses

    return [*funnel.reports(), *losses.reports()]
