"""The demo company's counterparties: organisations and their people, as someone would type them.

Each draft holds what a form or an import would receive (phones typed the ways people type them,
"8 (701) 123-45-67"); the writer loads it through the entity's schema, so what is stored is
exactly what the app stores. One ``random.Random`` (and Faker, for Russian surnames) seeded
once makes the same company from the same seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from faker import Faker

from crmkit.core.contacts import kz_ids, phones
from crmkit.core.demo import words as w


@dataclass
class Seller:
    """A demo user who owns counterparties and does the activities."""

    id: int
    name: str
    email: str
    office: str
    department: str
    line: str  # the office's number, E.164


@dataclass
class Draft:
    """One organisation or person before it is written; ``stored`` is what the schema made of ``data``."""

    data: dict[str, Any]
    owner: Seller
    created_day: int
    country: str = "KZ"
    city: str = ""
    domain: str | None = None
    parent: int | None = None  # organisations: the head office's index; people: their organisation's
    founder: tuple[str, str, str, bool] | None = None  # an ИП's entrepreneur: surname, name, patronymic, male
    id: int | None = None
    stored: dict[str, Any] = field(default_factory=dict)


STAFF_BY_SIZE = {"1-10": 1, "11-50": 3, "51-200": 6, "201-1000": 9, "1000+": 12}  # how many of its people we know
ROLES = ("is_client", "is_prospect", "is_supplier", "is_partner", "is_competitor")
SEGMENT_WEIGHTS = {"a": 4.0, "b": 2.0, "c": 1.0}
PREPOSITIONAL = {
    "Алматы": "Алматы", "Астана": "Астане", "Шымкент": "Шымкенте", "Караганда": "Караганде", "Актобе": "Актобе",
    "Атырау": "Атырау", "Усть-Каменогорск": "Усть-Каменогорске", "Павлодар": "Павлодаре",
}


def weight_of(values: dict[str, Any], entity: str = "person") -> float:
    """How much work a counterparty gets: key clients most, competitors hardly any."""
    if values.get("is_competitor"):
        base = 0.2
    elif values.get("is_client"):
        base = SEGMENT_WEIGHTS.get(values.get("segment") or "c", 1.0)
    else:
        base = 1.5 if values.get("is_prospect") else 1.0
    return base * (0.5 if entity == "organization" else 1.0)


class Company:
    def __init__(self, seed: int, today: date, sellers: list[Seller]):
        self.rng = random.Random(seed)
        self.fake = Faker("ru_RU")
        self.fake.seed_instance(seed)
        self.today = today
        self.sellers = sellers
        self.phones: set[str] = set()
        self.emails: set[str] = set()
        self.names: set[str] = set()
        self.load: dict[int, float] = {}  # seller id -> the work expected with the organisations they own

    # identifiers
    def phone(self, country: str, code: str | None = None) -> tuple[str, str]:
        """A new number as typed and in E.164: a mobile, or a landline when ``code`` is given."""
        rng = self.rng
        while True:
            prefix = code or rng.choice(w.KZ_MOBILE if country == "KZ" else w.RU_MOBILE)
            rest = str(rng.randint(2, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(9 - len(prefix)))
            e164 = f"+7{prefix}{rest}"
            if e164 in self.phones:
                continue
            try:
                if phones.normalize(e164, "KZ") != e164:
                    continue
            except ValueError:
                continue
            self.phones.add(e164)
            return self.typed(prefix, rest, country), e164

    def typed(self, prefix: str, rest: str, country: str) -> str:
        """The number the way people write it: with 8 or +7, brackets, dashes or spaces."""
        tail = f"{rest[:-4]}-{rest[-4:-2]}-{rest[-2:]}"
        styles = [f"+7 ({prefix}) {tail}", f"+7 {prefix} {rest}", f"+7{prefix}{rest}"]
        if country == "KZ":
            styles += [f"8 ({prefix}) {tail}", f"8{prefix}{rest}", f"8 {prefix} {tail.replace('-', ' ')}"]
        return self.rng.choice(styles)

    def email(self, local: str, domain: str) -> str:
        address, n = f"{local}@{domain}", 1
        while address in self.emails:
            n += 1
            address = f"{local}{n}@{domain}"
        self.emails.add(address)
        return address

    def bin(self, division: str, registered: int) -> str:
        while True:
            first = f"{registered % 100:02d}{self.rng.randint(1, 12):02d}4{division}{self.rng.randint(0, 99999):05d}"
            check = kz_ids.calc_check_digit(first)
            if check is not None:
                return first + str(check)

    def iin(self, born: date, male: bool) -> str:
        century = (3 if male else 4) if born.year < 2000 else (5 if male else 6)
        while True:
            first = f"{born:%y%m%d}{century}{self.rng.randint(1, 9999):04d}"
            check = kz_ids.calc_check_digit(first)
            if check is not None:
                return first + str(check)

    # choices
    def owner_for(self, city: str, country: str, segment: str | None, work: float = 1.0) -> Seller:
        """Russian clients go to the Russia desk, key ones to key accounts, the rest to their city's
        office (else the head office); within those, to whoever has the least work so far."""
        pools = (
            [s for s in self.sellers if s.department == w.DEPARTMENTS[4][0]] if country == "RU" else [],
            [s for s in self.sellers if s.department == w.DEPARTMENTS[2][0]] if segment == "a" else [],
            [s for s in self.sellers if s.office == city],
            [s for s in self.sellers if s.office == w.OFFICES[0][0]],
        )
        pool = next((pool for pool in pools if pool), self.sellers)
        owner = min(pool, key=lambda s: (self.load.get(s.id, 0), self.rng.random()))
        self.load[owner.id] = self.load.get(owner.id, 0) + work
        return owner

    def roles(self, main: str | None = None) -> dict[str, bool]:
        main = main or self.rng.choices(ROLES, (45, 30, 8, 9, 8))[0]
        roles = dict.fromkeys(ROLES, False)
        roles[main] = True
        if main == "is_client" and self.rng.random() < 0.1:
            roles["is_partner"] = True
        return roles

    def segment(self, roles: dict[str, bool]) -> str | None:
        if roles["is_client"]:
            return self.rng.choices(("a", "b", "c"), (20, 45, 35))[0]
        return self.rng.choice(("b", "c", None)) if roles["is_prospect"] else None

    def created_day(self, roles: dict[str, bool]) -> int:
        return self.rng.randint(-200, -3) if roles["is_prospect"] else self.rng.randint(-1100, -30)

    # organisations
    def organisations(self, count: int) -> list[Draft]:
        """``count`` organisations, branches right after their head office."""
        found: list[Draft] = []
        while len(found) < count:
            head, head_index = self.organisation(ROLES[len(found)] if len(found) < len(ROLES) else None), len(found)
            found.append(head)
            if head.data.get("bin") and head.data["size"] in w.COMPANY_SIZES[2:] and self.rng.random() < 0.35:
                for _ in range(min(self.rng.randint(1, 2), count - len(found))):
                    found.append(self.branch(head, head_index))
        return found

    def organisation(self, role: str | None = None) -> Draft:
        """A head office; ``role`` makes sure the first few show every kind of counterparty."""
        rng = self.rng
        country = "RU" if rng.random() < 0.25 else "KZ"
        industry = rng.choices(tuple(w.INDUSTRY_WEIGHTS), tuple(w.INDUSTRY_WEIGHTS.values()))[0]
        if country == "KZ":
            form = rng.choices(("ТОО", "АО", "ИП"), (72, 10, 18))[0]
            city, _weight, code, streets = rng.choices(w.KZ_CITIES, [c[1] for c in w.KZ_CITIES])[0]
        else:
            form = rng.choices(("ООО", "АО"), (85, 15))[0]
            city, _weight, code = rng.choices(w.RU_CITIES, [c[1] for c in w.RU_CITIES])[0]
            streets = None
        roles = self.roles(role)
        segment = self.segment(roles)
        founder = None
        if form == "ИП":
            founder = surname, first, patronymic, _male = self.kazakh_name()
            name = f"ИП {surname} {first[0]}. {patronymic[0]}." if patronymic else f"ИП {surname} {first[0]}."
            legal_name, size = f"Индивидуальный предприниматель {surname} {first} {patronymic}".strip(), "1-10"
            domain, bin_ = None, None
        else:
            name = self.company_name(country, industry)
            legal_name = f"{form} «{name}»"
            size = rng.choices(w.COMPANY_SIZES, (5, 35, 35, 20, 5) if form != "АО" else (0, 0, 20, 50, 30))[0]
            domain = w.latin(name) + ".example"
            bin_ = self.bin("0", rng.randint(1998, self.today.year - 1)) if country == "KZ" else None
        street = rng.choice(streets) if streets else self.fake.street_name()
        address = f"г. {city}, {street}, {rng.randint(1, 250)}" + (f", офис {rng.randint(1, 600)}" if rng.random() < 0.7 else "")
        typed, _e164 = self.phone(country, code) if form != "ИП" else self.phone(country)
        data = {
            "name": name, "legal_name": legal_name, "bin": bin_, "industry": industry, "size": size,
            "phone": typed, "address": address, "segment": segment, **roles,
            "source": rng.choices(w.SOURCES, w.SOURCE_WEIGHTS)[0],
        }
        if domain:
            data["email"] = self.email(rng.choice(("info", "office", "sales", "zakup")), domain)
            data["website"] = f"https://{domain}"
            if rng.random() < 0.3:
                data["other_phones"] = self.phone(country, code)[0]
        if rng.random() < 0.25:
            data["tags"] = ", ".join(rng.sample(w.TAGS, rng.randint(1, 2)))
        owner = self.owner_for(city, country, segment, STAFF_BY_SIZE[size] * weight_of(data))
        return Draft(data, owner, self.created_day(roles), country, city, domain, founder=founder)

    def branch(self, head: Draft, head_index: int) -> Draft:
        rng = self.rng
        others = [c for c in w.KZ_CITIES if c[0] != head.city]
        city, _weight, code, streets = rng.choices(others, [c[1] for c in others])[0]
        base = head.data["name"]
        yy = int(head.data["bin"][:2])
        registered = (2000 if yy <= self.today.year % 100 else 1900) + yy
        data = {
            **{k: head.data[k] for k in ("industry", "segment", "source", *ROLES)},
            "name": f"{base} (филиал в {PREPOSITIONAL[city]})",
            "legal_name": f"Филиал {head.data['legal_name']} в г. {city}",
            "bin": self.bin("1", rng.randint(registered, self.today.year - 1)),
            "size": rng.choice(w.COMPANY_SIZES[1:3]),
            "phone": self.phone("KZ", code)[0],
            "email": self.email(w.latin(city), head.domain),
            "address": f"г. {city}, {rng.choice(streets)}, {rng.randint(1, 200)}",
        }
        owner = self.owner_for(city, "KZ", data["segment"], STAFF_BY_SIZE[data["size"]] * weight_of(data))
        created = max(head.created_day, min(head.created_day + rng.randint(30, 400), -3))  # after the head office, not ahead
        return Draft(data, owner, created, "KZ", city, head.domain, parent=head_index)

    def company_name(self, country: str, industry: str) -> str:
        """A root and an industry word; once those run out (a large demo), a qualifier, then a number."""
        roots = w.KAZAKH_ROOTS if country == "KZ" else w.RUSSIAN_ROOTS
        for attempt in range(1000):
            name = f"{self.rng.choice(roots)} {self.rng.choice(w.INDUSTRY_WORDS[industry])}"
            if country == "RU" and self.rng.random() < 0.4:
                name = name.replace(" ", "-", 1)
            if attempt >= 10:
                name += " " + self.rng.choice(w.NAME_QUALIFIERS)
            if attempt >= 30:
                name += f" {attempt}"
            if name not in self.names:
                self.names.add(name)
                return name
        raise RuntimeError("no new company name")  # a thousand tries always find one; a guard, not a path

    # people
    def kazakh_name(self) -> tuple[str, str, str, bool]:
        male = self.rng.random() < 0.5
        surname = self.rng.choice(w.KAZAKH_SURNAMES)
        first = self.rng.choice(w.KAZAKH_MALE if male else w.KAZAKH_FEMALE)
        father = self.rng.choice(w.KAZAKH_FATHERS)
        patronymic = "" if self.rng.random() < 0.15 else father + ("ович" if male else "овна")
        return (surname if male else surname + "а"), first, patronymic, male

    def russian_name(self) -> tuple[str, str, str, bool]:
        male = self.rng.random() < 0.5
        surname = self.fake.last_name_male() if male else self.fake.last_name_female()
        first = self.rng.choice(w.RUSSIAN_MALE if male else w.RUSSIAN_FEMALE)
        patronymic = self.rng.choice(w.RUSSIAN_PATRONYMICS)[0 if male else 1]
        return surname, first, patronymic, male

    def people(self, organisations: list[Draft], count: int) -> list[Draft]:
        """``count`` people: an entrepreneur for each ИП, a director for each company, staff by size, some private clients."""
        rng = self.rng
        slots: list[int | None] = list(range(len(organisations)))
        weights = [STAFF_BY_SIZE[o.data["size"]] for o in organisations]
        private = max(1, count // 12)
        while len(slots) < count - private:
            slots.append(rng.choices(range(len(organisations)), weights)[0])
        slots += [None] * (count - len(slots))
        return [self.person(organisations, index, first=i < len(organisations)) for i, index in enumerate(slots)]

    def person(self, organisations: list[Draft], index: int | None, first: bool) -> Draft:
        rng = self.rng
        org = organisations[index] if index is not None else None
        entrepreneur = first and org is not None and org.founder is not None
        country = org.country if org else "KZ"
        kazakh = entrepreneur or (country == "KZ" and rng.random() < 0.65) or (country == "RU" and rng.random() < 0.05)
        if entrepreneur:
            surname, first_name, patronymic, male = org.founder
        else:
            surname, first_name, patronymic, male = self.kazakh_name() if kazakh else self.russian_name()
        data: dict[str, Any] = {"name": " ".join(p for p in (surname, first_name, patronymic) if p)}
        if org is not None:
            data["position"] = (
                "Индивидуальный предприниматель" if entrepreneur
                else rng.choice(w.POSITIONS_TOP) if first else rng.choice(w.POSITIONS)
            )
            data.update({k: org.data[k] for k in (*ROLES, "segment", "source")})
            owner = org.owner if rng.random() < 0.85 else self.owner_for(org.city, country, None)
            created = min(org.created_day + rng.randint(0, 90), -1)
        else:
            data.update(is_client=rng.random() < 0.6, source=rng.choices(w.SOURCES, w.SOURCE_WEIGHTS)[0])
            data["is_prospect"] = not data["is_client"]
            data["segment"] = "c" if data["is_client"] else None
            owner = rng.choice(self.sellers)
            created = rng.randint(-700, -3)
        if rng.random() < 0.92:
            data["phone"], e164 = self.phone(country)
            if rng.random() < 0.3:
                data["messengers"] = f"WhatsApp: {phones.pretty(e164)}"
        if org is not None and org.data.get("phone") and rng.random() < 0.2:
            data["other_phones"] = f"{org.data['phone']} доб. {rng.randint(100, 399)}"
        login = w.latin(first_name), w.latin(surname)
        if org is not None and org.domain and rng.random() < 0.85:
            local = rng.choice((f"{login[0][0]}.{login[1]}", f"{login[0]}.{login[1]}", f"{login[1]}.{login[0][0]}", f"{login[0]}{login[1][0]}"))
            data["email"] = self.email(local, org.domain)
        elif rng.random() < 0.5:
            data["email"] = self.email(f"{login[0]}.{login[1]}{rng.randint(70, 99)}", "inbox.example")
        if rng.random() < 0.1:
            data["messengers"] = (data.get("messengers", "") + f"\nTelegram: @{login[0]}_{login[1][:3]}").strip()
        born = self.today - timedelta(days=rng.randint(23 * 365, 64 * 365))
        if kazakh and (entrepreneur or rng.random() < 0.35):
            data["iin"] = self.iin(born, male)
            data["birthday"] = born.isoformat()
        elif rng.random() < 0.25:
            data["birthday"] = born.isoformat()
        return Draft(data, owner, created, country, org.city if org else "", org.domain if org else None, parent=index)
