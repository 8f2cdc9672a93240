"""My day, reminders, the calendar and the personal iCalendar feed."""
