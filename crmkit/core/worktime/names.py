"""Public holidays named in the reader's language.

The ``holidays`` library names Kazakhstan's holidays in Kazakh and English and Russia's in
Russian and English; a Russian-speaking office in Kazakhstan, the usual case, would read English.
So a language the library lacks gets the English name through our own catalog (the names below),
with the library's "(observed)", "(estimated)" and "substituted from" marks translated too.
"""

from __future__ import annotations

import re
from datetime import date

from crmkit.core.worktime.calendar import load_country
from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_gettext as _l

SPOKEN = {"KZ": ("kk", "en_US"), "RU": ("ru", "en_US")}  # the library's languages per country
ENGLISH = {
    "Capital Day": _l("Capital Day"),
    "Constitution Day": _l("Constitution Day"),
    "Defender of the Fatherland Day": _l("Defender of the Fatherland Day"),
    "Eid al-Adha": _l("Eid al-Adha"),
    "First President Day": _l("First President Day"),
    "Independence Day": _l("Independence Day"),
    "International Women's Day": _l("International Women's Day"),
    "Kazakhstan's People Solidarity Holiday": _l("Kazakhstan's People Solidarity Holiday"),
    "New Year's Day": _l("New Year's Day"),
    "Nowruz Holiday": _l("Nowruz Holiday"),
    "Orthodox Christmas": _l("Orthodox Christmas"),
    "Republic Day": _l("Republic Day"),
    "Victory Day": _l("Victory Day"),
}
SUBSTITUTED = re.compile(r"^Day off \(substituted from (\d\d)/(\d\d)/(\d{4})\)$")


def translated(name: str) -> str:
    """An English name from the library in the reader's language, where our catalog has it."""
    if found := SUBSTITUTED.match(name):
        month, day, year = (int(part) for part in found.groups())
        return _("Day off (moved from %(date)s)", date=date(year, month, day).strftime("%d.%m.%Y"))
    if name.endswith(" (observed)"):
        return _("%(name)s (moved day off)", name=translated(name[: -len(" (observed)")]))
    if name.endswith(" (estimated)"):
        return _("%(name)s (date estimated)", name=translated(name[: -len(" (estimated)")]))
    return str(ENGLISH.get(name, name))


def holidays_named(country: str | None, year: int, locale: str) -> tuple[dict[date, str], frozenset[date]]:
    """The country's holidays of ``year`` (date to name in ``locale``) and its working weekend days."""
    if not country:
        return {}, frozenset()
    spoken = [lang for lang in SPOKEN.get(country, ()) if lang.split("_")[0] == locale]
    if spoken:
        return load_country(country, year, spoken[0])
    found, working = load_country(country, year, "en_US")
    return {day: translated(name) for day, name in found.items()}, working
