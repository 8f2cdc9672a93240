"""The walk of the demo company's pages (tests/browser/test_walk_*.py): which pages, and what a
page must never show.

One demo database per test module (the agency «Алтын Кілт», seed 2024) served live; each role and
language is one browser context that logs in once, opens each page at 1366 px, reads what it
shows, then narrows the same page to 390 px and measures it. Lists, records, boards, reports,
admin pages, My day, the calendar, home, search and the account are walked; of the records, one
representative of each kind (the busiest agent's own, so the agent, their manager and the admin
may all open it). Screenshots: Russian at 390 px and Kazakh at 1366 px, to $CRMKIT_WALK_SHOTS
(default /tmp/walk).

A page fails on what a user should never read: a raw id or code where a name belongs
("owner_id 3", "#16", "in_work", a choice's key), a Python dict, an ISO timestamp, English words
on a Russian or Kazakh page (outside a short list of proper names and what is in «quotes»), or at
390 px (or 1366 px) anything wider than the screen. The text is read as the user sees it: visible text nodes,
an option's text when its select is visible, and the title, placeholder, aria-label and alt
attributes; what is marked in another language (``lang``), ``translate="no"`` or code is left out.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import url_for
from sqlalchemy import func, select

from crmkit import db
from crmkit.app import create_app
from crmkit.core.activities.models import Activity
from crmkit.core.auth.models import User
from crmkit.core.contacts.models import Organization, Person
from crmkit.core.demo.loader import load
from crmkit.core.pipelines.models import Deal, Pipeline
from crmkit.entities.transitions import Transition
from crmkit.migrate import upgrade_all
from crmkit.reports.registry import reports
from tests.browser.conftest import LiveServer, log_in
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, TEST_SECRET, add_user, own_database

# what the browser collects: visible text (and attributes a user reads), each with its element
COLLECT = r"""() => {
  const lang = document.documentElement.lang;
  const skip = 'script,style,noscript,template,code,kbd,samp,[translate=no]';
  const out = [];
  const visible = (el) => {
    const box = el.closest('select') || el;
    if (!box.getClientRects().length) return false;
    const style = getComputedStyle(box);
    return style.visibility !== 'hidden';
  };
  const foreign = (el) => { const at = el.closest('[lang]'); return at && at !== document.documentElement && at.lang !== lang; };
  const where = (el) => {
    const tag = el.tagName.toLowerCase();
    const cell = el.closest('[data-label]');
    return tag + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : '') +
      (cell ? ` [${cell.getAttribute('data-label')}]` : '');
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.nodeValue.trim();
    const el = node.parentElement;
    if (!text || !el || el.closest(skip) || foreign(el) || !visible(el)) continue;
    const leaf = el.children.length === 0 ? el.textContent.trim() : null;
    out.push({text, leaf, where: where(el)});
  }
  for (const el of document.body.querySelectorAll('[title],[placeholder],[aria-label],img[alt],input[type=submit][value]')) {
    if (el.closest(skip) || foreign(el)) continue;
    for (const name of ['title', 'placeholder', 'aria-label', 'alt', 'value']) {
      if (name === 'value' && !(el.tagName === 'INPUT' && el.type === 'submit')) continue;
      const text = (el.getAttribute(name) || '').trim();
      // a tooltip may give an admin the code beside its name, or a session's whole browser string
      if (name === 'title' && (/^[\w.*:-]+$/.test(text) || text.includes('Mozilla/'))) continue;
      if (text) out.push({text, leaf: null, where: where(el) + ` @${name}`});
    }
  }
  return out;
}"""

OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"

SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")  # owner_id, in_work, demo.loaded's kin
DOTTED_CODE = re.compile(r"\b[a-z]{2,}\.(?:[a-z_]{2,}|\*)(?![\w.])")  # deal.view, core.merge, demo.loaded; not "e.g."
HASH_ID = re.compile(r"(?<![\w&])#\d+\b")  # a linked record shown by its id
DICT = re.compile(r"[{\[]\s*['\"][^'\"]+['\"]\s*:")
ISO = re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}|\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})\b")
EMAIL = re.compile(r"\S+@\S+|@\w+")  # addresses and messenger handles
QUOTED = re.compile(r"«[^»]*»")  # a proper name in quotes (a residential complex, a company)
URL = re.compile(r"\b(?:https?://|www\.)\S+|\b[\w-]+\.(?:kz|ru|com|org|ics|vcf|csv|xlsx)\b\S*")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")

# Latin words a Russian or Kazakh page may show: product and format names, currency and units,
# and the demo's own proper names
ALLOWED_LATIN = {
    "crmkit", "CRM", "CSV", "XLSX", "vCard", "API", "URL", "REST", "JSON", "SVG", "ID", "SMTP", "iCalendar", "ICS",
    "KZT", "RUB", "USD", "EUR", "CNY", "TOTP", "PDF", "Google", "Outlook", "Apple", "WhatsApp", "Telegram", "Instagram",
    "Email", "E", "mail", "IBAN", "BIN", "IIN", "ABC", "A", "B", "C", "UTC", "GMT", "Kaspi", "Halyk", "Krisha", "OLX",
    "ru", "kk", "en", "EN", "RU", "KK", "Asia", "Almaty", "Astana", "Europe", "Moscow",
    "IT", "IP", "POST", "Re", "Fwd", "Enter", "Escape", "Esc", "Tab", "Shift", "N",
    "Chrome", "HeadlessChrome", "Chromium", "Firefox", "Safari", "Edge", "Opera", "Linux", "Windows", "macOS", "Android", "iOS",
}


@dataclass(frozen=True)
class Problem:
    page: str
    what: str
    text: str
    where: str

    def __str__(self) -> str:
        return f"{self.page}: {self.what}: {self.text!r} ({self.where})"


def problems(page: str, found: list[dict], language: str, codes: frozenset[str]) -> list[Problem]:
    """What is wrong with a page's collected text (see the module's docstring)."""
    out: list[Problem] = []
    for item in found:
        text, where = item["text"], item["where"]
        bare = QUOTED.sub(" ", URL.sub(" ", EMAIL.sub(" ", text)))
        for pattern, what in ((SNAKE, "a code"), (DOTTED_CODE, "a code"), (HASH_ID, "a raw id"), (DICT, "a dict"),
                              (ISO, "an ISO timestamp")):
            if (hit := pattern.search(bare)) is not None:
                out.append(Problem(page, what, hit.group(0) + " in " + text[:80], where))
        leaf = item.get("leaf")
        if leaf and leaf in codes:
            out.append(Problem(page, "a choice's key", leaf, where))
        if language != "en":
            words = [w for w in LATIN_WORD.findall(bare) if w not in ALLOWED_LATIN and w.lower() not in ALLOWED_LATIN]
            if words:
                out.append(Problem(page, "English on a non-English page", " ".join(words[:6]) + " in " + text[:80], where))
    return out


def svg_problems(page: str, svg: str, language: str, codes: frozenset[str]) -> list[Problem]:
    """A chart's labels, read from its SVG's text elements, checked like a page's text."""
    texts = [t for t in (re.sub(r"<[^>]+>", "", m) for m in re.findall(r"<text[^>]*>(.*?)</text>", svg, re.S)) if t.strip()]
    return problems(page + " (chart)", [{"text": t.strip(), "leaf": t.strip(), "where": "svg text"} for t in texts],
                    language, codes)


LAPTOP, PHONE = {"width": 1366, "height": 768}, {"width": 390, "height": 844}
SHOTS = Path(os.environ.get("CRMKIT_WALK_SHOTS", "/tmp/walk"))
SHOT_AT = {("ru", "390"), ("kk", "1366")}
ADMIN_ONLY = "admin-"  # pages only an admin opens start so


@pytest.fixture(scope="module")
def walk(tmp_path_factory):
    """The demo agency served live; its pages by name; a manager and an agent with their passwords."""
    folder = tmp_path_factory.mktemp("walk")
    with pytest.MonkeyPatch.context() as env, own_database(folder) as url:
        env.setenv("CRMKIT_INSTANCE_PATH", str(folder / "instance"))
        app = create_app({"TESTING": False, "SECRET_KEY": TEST_SECRET, "DATABASE_URL": url, "LOAD_ENTRY_POINTS": False})
        upgrade_all(db.engine_of(app), app.extensions["crmkit"].lineages)
        add_user(app, is_admin=True, name="Администратор")
        with app.app_context():
            outcome = load(db.session(), "small", seed=2024)
            passwords = {user.id: password for user, password in outcome.users}
            agent, manager = pick_staff(db.session())
            pages = pages_of(app, db.session(), agent)
            staff = {"admin": (ADMIN_EMAIL, ADMIN_PASSWORD), "manager": (manager.email, passwords[manager.id]),
                     "agent": (agent.email, passwords[agent.id])}
            codes = raw_codes(app)
        with LiveServer(app) as server:
            yield server, pages, staff, codes
        db.engine_of(app).dispose()


def pick_staff(session) -> tuple[User, User]:
    """The agent with the most deals, and their manager."""
    busiest = (select(Deal.owner_id).join(User, User.id == Deal.owner_id).where(User.role == "agent")
               .group_by(Deal.owner_id).order_by(func.count().desc(), Deal.owner_id).limit(1))
    agent = session.get(User, session.execute(busiest).scalar_one())
    return agent, session.get(User, agent.manager_id)


def first(session, statement):
    return session.execute(statement.limit(1)).scalar_one()


def pages_of(app, session, agent: User) -> dict[str, str]:
    """Each page of the walk by name; of the records, the agent's own."""
    own = agent.id
    person = first(session, select(Person.id).where(Person.owner_id == own, Person.organization_id.is_not(None))
                   .order_by(Person.id))
    organisation = first(session, select(Organization.id).where(Organization.owner_id == own).order_by(Organization.id))
    moves = select(Transition.record_id).where(Transition.entity == "deal").group_by(Transition.record_id)
    deal = first(session, select(Deal.id).where(Deal.owner_id == own, Deal.closed_at.is_(None), Deal.id.in_(moves))
                 .order_by(Deal.id.desc()))
    closed = first(session, select(Deal.id).where(Deal.owner_id == own, Deal.closed_at.is_not(None)).order_by(Deal.id))
    call = first(session, select(Activity.id).where(Activity.owner_id == own, Activity.kind == "call").order_by(Activity.id))
    task = first(session, select(Activity.id).where(Activity.owner_id == own, Activity.kind == "task").order_by(Activity.id))
    meeting = first(session, select(Activity.id).where(Activity.owner_id == own, Activity.kind == "meeting")
                    .order_by(Activity.id))
    pipelines = list(session.execute(select(Pipeline.id).order_by(Pipeline.id)).scalars())
    term = session.get(Person, person).name.split()[0]
    with app.test_request_context():
        found = {
            "home": url_for("home.index"),
            "my-day": url_for("myday.index"),
            "calendar": url_for("myday.calendar"),
            "search": url_for("search.page", q=term),
            "lookup": url_for("lookup.page"),
            "duplicates": url_for("duplicates.index"),
            "account": url_for("account.index"),
            "two-factor": url_for("account.two_factor"),
            "tokens": url_for("api_tokens.tokens"),
            "reports": url_for("reports.index"),
        }
        for key, prefix, record in (("person", "person", person), ("organisation", "organization", organisation),
                                    ("deal", "deal", deal), ("deal-closed", "deal", closed), ("call", "activity", call),
                                    ("task", "activity", task), ("meeting", "activity", meeting)):
            if key in ("person", "organisation", "deal", "call"):
                found[f"{prefix}-list"] = url_for(f"records.{prefix}_list")
                found[f"{prefix}-new"] = url_for(f"records.{prefix}_new")
            found[key] = url_for(f"records.{prefix}_detail", record_id=record)
            if key in ("person", "organisation", "deal", "task"):
                found[f"{key}-edit"] = url_for(f"records.{prefix}_edit", record_id=record)
        found["person-timeline"] = url_for("timeline.page", entity_path="person", record_id=person)
        found["person-list-mine"] = url_for("records.person_list", owner_id="me")
        for pipeline in pipelines:
            found[f"board-{pipeline}"] = url_for("pipelines_board.board", pipeline_id=pipeline)
        for report in reports():
            found[f"report-{report.key}"] = url_for("reports.page", key=report.key)
        found.update({
            "admin-users": url_for("org.users"),
            "admin-user": url_for("org.user_edit", user_id=agent.id),
            "admin-user-new": url_for("org.user_new"),
            "admin-structure": url_for("org.structure"),
            "admin-department": url_for("org.department_edit", department_id=agent.department_id),
            "admin-roles": url_for("org.roles"),
            "admin-role": url_for("org.role_edit", name="agent"),
            "admin-audit": url_for("audit.index"),
            "admin-fields": url_for("custom_fields.index"),
            "admin-pipelines": url_for("pipelines_admin.index"),
            "admin-pipeline": url_for("pipelines_admin.pipeline", pipeline_id=pipelines[0]),
            "admin-loss-reasons": url_for("pipelines_admin.reasons"),
            "admin-prices": url_for("pipelines_admin.prices"),
            "admin-targets": url_for("targets_admin.index"),
            "admin-plugins": url_for("admin.plugins"),
            "admin-webhooks": url_for("webhooks.index"),
        })
    return found


def raw_codes(app) -> frozenset[str]:
    """Every choice's key whose English label differs from it: shown bare, it is a code."""
    codes = set()
    with app.test_request_context():
        for entity in app.extensions["crmkit"].entities:
            for field in entity.schema._declared_fields.values():
                labels = field.metadata.get("choices_labels")
                if isinstance(labels, dict):
                    codes |= {str(key) for key, label in labels.items() if str(key) != str(label)}
    return frozenset(codes)


def language(page, base: str, code: str) -> None:
    """Switch the language with the top bar's buttons, as a user does."""
    if page.locator("html").get_attribute("lang") != code:
        page.locator(f".languages button[lang={code}]").first.click()
        page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == code


def walk_pages(walk, chromium, role: str, locale: str) -> None:
    """Open every page as ``role`` in ``locale`` at 1366 px, then at 390 px; fail listing every problem."""
    server, pages, staff, codes = walk
    context = chromium.new_context(locale=locale, viewport=LAPTOP)
    context.set_default_timeout(15_000)
    found = []
    try:
        page = context.new_page()
        log_in(page, server.url, *staff[role])
        language(page, server.url, locale)
        for name, path in pages.items():
            if name.startswith(ADMIN_ONLY) and role != "admin":
                continue
            page.set_viewport_size(LAPTOP)
            response = page.goto(server.url + path)
            assert response is not None and response.status == 200, f"{name} ({path}) answered {response and response.status}"
            found += problems(name, page.evaluate(COLLECT), locale, codes)
            for chart in page.locator("img[src$='chart.svg'], img[src*='chart.svg?']").all():
                svg = context.request.get(server.url + chart.get_attribute("src"))
                found += svg_problems(name, svg.text(), locale, codes)
            wider = page.evaluate(OVERFLOW)
            if wider > 0:
                found.append(f"{name}: {wider} px wider than a 1366 px screen")
            shoot(page, role, locale, "1366", name)
            page.set_viewport_size(PHONE)
            wider = page.evaluate(OVERFLOW)
            if wider > 0:
                found.append(f"{name}: {wider} px wider than a 390 px phone")
            shoot(page, role, locale, "390", name)
    finally:
        context.close()
    assert not found, f"{role}, {locale}: {len(found)} problems:\n" + "\n".join(map(str, found))


def shoot(page, role: str, locale: str, width: str, name: str) -> None:
    if (locale, width) in SHOT_AT:
        SHOTS.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^\w-]", "_", name)
        page.screenshot(path=SHOTS / f"{locale}-{width}-{role}-{safe}.png", full_page=True)
