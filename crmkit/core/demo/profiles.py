"""The demo's profiles: which company `crmkit demo` makes. The agency is the default; the trading
company (building materials and equipment rental) is the second."""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from crmkit.core.demo import agency, agency_texts, texts
from crmkit.core.demo import words as w
from crmkit.core.demo.agency_deals import BOOK
from crmkit.core.demo.company import Company
from crmkit.core.demo.deals import TRADING, Book


@dataclass(frozen=True)
class Profile:
    key: str
    domain: str  # the staff's email addresses
    offices: tuple  # (name, address, phone)
    head_department: str
    departments: tuple  # (name, office, ...), as many as the size asks for
    departments_by_size: dict[str, int]
    agents: dict[str, tuple[int, int]]  # how many agents each department has, by size: fewest, most
    company: type[Company]
    texts: ModuleType
    book: Book


PROFILES = {
    "agency": Profile("agency", agency.DOMAIN, agency.OFFICES, agency.HEAD_DEPARTMENT, agency.DEPARTMENTS,
                      agency.DEPARTMENTS_BY_SIZE, agency.AGENTS, agency.AgencyCompany, agency_texts, BOOK),
    "trading": Profile("trading", w.OUR_DOMAIN, w.OFFICES, w.HEAD_DEPARTMENT, w.DEPARTMENTS,
                       {"small": 2, "medium": 4, "large": 5}, dict.fromkeys(("small", "medium", "large"), (3, 5)), Company, texts, TRADING),
}
DEFAULT = "agency"
