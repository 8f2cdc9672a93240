"""A plugin for the lead routing tests: it offers one assignment condition, the city a lead's
request names, as a real-estate plugin would from its own field."""

from crmkit import api

CITIES = ("Almaty", "Astana", "Shymkent")


def names_city(lead, values):
    text = (lead.request or "").casefold()
    return any(city.casefold() in text for city in values)


@api.hookimpl
def lead_assignment_conditions():
    return [api.AssignmentCondition("routing_plugin.city", "City in the request", names_city,
                                    lambda: [(city, city) for city in CITIES])]
