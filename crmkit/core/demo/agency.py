"""The default demo company: «Алтын Кілт», a real-estate agency with offices in Almaty and Astana.

Its agents work with people who buy, sell, rent and let flats and houses, and with organisations:
developers whose new builds they sell, employers who rent flats for their staff, banks that lend
to buyers, and the agencies it competes with. The trading company (``words``) stays a second profile.
"""

from __future__ import annotations

from typing import Any

from crmkit.core.demo import words as w
from crmkit.core.demo.company import Company, Draft, Seller

DOMAIN = "altyn-kilt.example"
OFFICES = (
    ("Алматы", "г. Алматы, пр. Достык, 136, БЦ «Самал Тауэрс», офис 1205", "+7 (727) 356-18-18"),
    ("Астана", "г. Астана, пр. Кабанбай батыра, 11/5, офис 304", "+7 (7172) 69-55-40"),
)
HEAD_DEPARTMENT = "Дирекция агентства"
SALES, RENT = "sales", "rent"
# (department, office, what it does); each gets a manager and agents (AGENTS)
DEPARTMENTS = (
    ("Продажи — Алматы", "Алматы", SALES),
    ("Аренда — Алматы", "Алматы", RENT),
    ("Продажи — Астана", "Астана", SALES),
    ("Аренда — Астана", "Астана", RENT),
)
DEPARTMENTS_BY_SIZE = {"small": 4, "medium": 4, "large": 4}
# agents per department: a small agency's teams are of two to four (each new user's password hash costs a moment)
AGENTS = {"small": (2, 4), "medium": (3, 5), "large": (3, 5)}
# what a private client wants: (tag, which department serves them, weight)
NEEDS = (("покупатель", SALES, 35), ("продавец", SALES, 25), ("арендатор", RENT, 28), ("арендодатель", RENT, 12))
CITY_WEIGHTS = (("Алматы", 60), ("Астана", 40))
CITY_CODES = {"Алматы": "727", "Астана": "7172"}
STREETS = {c[0]: c[3] for c in w.KZ_CITIES}
DISTRICTS = {
    "Алматы": ("мкр. Самал-2", "Медеуский р-н", "Бостандыкский р-н", "мкр. Орбита", "ЖК «Хайвил»", "мкр. Коктем",
               "Алмалинский р-н", "ЖК «Esentai City»", "мкр. Аксай", "Наурызбайский р-н"),
    "Астана": ("ЖК «Хайвил Астана»", "р-н Есиль", "левый берег", "р-н Алматы", "ЖК «Изумрудный квартал»",
               "р-н Сарыарка", "ЖК «Северное сияние»", "р-н Байконур"),
}
PROPERTIES = ("1-комн. квартира", "2-комн. квартира", "3-комн. квартира", "4-комн. квартира", "студия", "дом", "офис")
PROPERTY_WEIGHTS = (22, 30, 22, 6, 10, 6, 4)
# organisations: (kind, names, industry, role, tags, size)
ORGANISATIONS = (
    ("developer", ("Кемел Девелопмент", "Базис-А Строй", "Алатау Девелопмент", "Сарыарка Констракшн",
                   "Байтерек Девелопмент", "Тенгри Строй"), "real_estate", "is_partner", "застройщик", "201-1000"),
    ("employer", ("Каспий Мунай Сервис", "Кемел Телеком", "Туран Логистик", "Жетысу Агро", "Орион Фарм",
                  "Меридиан Софт", "Самал Финанс", "Акжол Энерго"), None, "is_client", "корпоративная аренда", "51-200"),
    ("competitor", ("Агентство «Береке Риэлти»", "«Ордабасы Недвижимость»", "Агентство «Жулдыз Хоум»", "«Жилищный центр Сункар»"),
     "real_estate", "is_competitor", None, "11-50"),
    ("bank", ("Береке Ипотека Центр", "Нурлы Жол Финанс"), "finance", "is_partner", "ипотека", "201-1000"),
)
SHARES = {"developer": 5, "employer": 8, "competitor": 4, "bank": 2}
EMPLOYER_INDUSTRIES = ("energy", "it", "logistics", "agriculture", "healthcare", "finance")


class AgencyCompany(Company):
    """The agency's counterparties: mostly private clients, each with one need, served in their city."""

    def owner_for(self, city: str, country: str = "KZ", segment: str | None = None, work: float = 1.0,
                  line: str = SALES) -> Seller:
        kinds = {name: kind for name, _office, kind in DEPARTMENTS}
        pools = ([s for s in self.sellers if s.office == city and kinds.get(s.department) == line],
                 [s for s in self.sellers if kinds.get(s.department) == line])
        pool = next((pool for pool in pools if pool), self.sellers)
        owner = min(pool, key=lambda s: (self.load.get(s.id, 0), self.rng.random()))
        self.load[owner.id] = self.load.get(owner.id, 0) + work
        return owner

    def city(self) -> str:
        return self.rng.choices([c for c, _w in CITY_WEIGHTS], [n for _c, n in CITY_WEIGHTS])[0]

    def organisations(self, count: int) -> list[Draft]:
        """Developers, employers, competitors and banks in the shares above, as many as asked."""
        total = sum(SHARES.values())
        kinds = [kind for kind, share in SHARES.items() for _ in range(max(1, round(count * share / total)))]
        kinds += ["employer"] * (count - len(kinds))  # what rounding left over
        found, made = [], dict.fromkeys(SHARES, 0)
        for kind in kinds[:count]:
            found.append(self.organisation_of(next(o for o in ORGANISATIONS if o[0] == kind), made[kind]))
            made[kind] += 1
        return found

    def organisation_of(self, spec: tuple, n: int) -> Draft:
        rng = self.rng
        kind, names, industry, role, tag, size = spec
        name = names[n % len(names)]
        if n >= len(names):  # a larger demo: more of each kind than there are names
            name = f"{name} {w.NAME_QUALIFIERS[(n // len(names)) % len(w.NAME_QUALIFIERS)]}"
        if name in self.names:
            name = f"{name} {n}"
        self.names.add(name)
        city = self.city()
        domain = w.latin(name) + ".example"
        roles = dict.fromkeys(("is_client", "is_prospect", "is_supplier", "is_partner", "is_competitor"), False)
        roles[role] = True
        plain = name.strip("«»").replace("Агентство «", "").rstrip("»")
        data: dict[str, Any] = {
            "name": name, "legal_name": f"ТОО «{plain.strip('«»')}»", "bin": self.bin("0", rng.randint(2003, self.today.year - 2)),
            "industry": industry or rng.choice(EMPLOYER_INDUSTRIES), "size": size,
            "phone": self.phone("KZ", CITY_CODES[city])[0], "email": self.email(rng.choice(("info", "office", "hr")), domain),
            "website": f"https://{domain}", "address": f"г. {city}, {rng.choice(STREETS[city])}, {rng.randint(1, 250)}",
            "segment": rng.choice(("a", "b")) if role == "is_client" else None,
            "source": rng.choices(w.SOURCES, w.SOURCE_WEIGHTS)[0], **roles,
        }
        if tag:
            data["tags"] = tag
        line = RENT if kind == "employer" else SALES
        owner = self.owner_for(city, line=line, work=0.2 if kind == "competitor" else 2.0)
        return Draft(data, owner, rng.randint(-900, -60), "KZ", city, domain)

    def people(self, organisations: list[Draft], count: int) -> list[Draft]:
        """A contact at each organisation (not the competitors), and private clients with a need each."""
        found = [self.contact_at(organisations, n) for n, o in enumerate(organisations) if not o.data["is_competitor"]]
        while len(found) < count:
            found.append(self.private_client(organisations))
        return found

    def contact_at(self, organisations: list[Draft], index: int) -> Draft:
        draft = self.person(organisations, index, first=True)
        org = organisations[index]
        if "корпоративная аренда" in (org.data.get("tags") or ""):
            draft.data["position"] = self.rng.choice(("HR-директор", "Менеджер по персоналу", "Офис-менеджер"))
        return draft

    def private_client(self, organisations: list[Draft]) -> Draft:
        draft = self.person(organisations, None, first=False)
        tag, line, _weight = self.rng.choices(NEEDS, [n[2] for n in NEEDS])[0]
        draft.city = self.city()
        draft.data["tags"] = tag
        draft.data["is_client"] = self.rng.random() < 0.55
        draft.data["is_prospect"] = not draft.data["is_client"]
        draft.data["segment"] = self.rng.choice(("b", "c")) if draft.data["is_client"] else None
        draft.data["source"] = self.rng.choices(("website", "referral", "advertising", "social", "other"), (30, 30, 15, 20, 5))[0]
        draft.owner = self.owner_for(draft.city, line=line)
        return draft


def property_in(rng, city: str) -> tuple[str, str]:
    """A property as agents name it, and where it is."""
    kind = rng.choices(PROPERTIES, PROPERTY_WEIGHTS)[0]
    return kind, rng.choice(DISTRICTS[city])
