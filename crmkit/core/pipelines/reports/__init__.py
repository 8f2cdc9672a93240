"""The pipelines' reports: the sales funnel (by period, side by side by office, department or
employee, and as of a date from the transition history) and the losses (reasons and competitors).
Every figure is one SQL aggregate over the deals the reader sees; see docs/reports.md."""


def declared() -> list:
    """The reports the pipelines plugin registers (``register_reports``)."""
    from crmkit.core.pipelines.reports import funnel, losses

    return [*funnel.reports(), *losses.reports()]
