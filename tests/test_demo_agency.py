"""`crmkit demo`'s default profile: «Алтын Кілт», a real-estate agency in Almaty and Astana whose
agents work with buyers, sellers, tenants, landlords, developers and employers renting for staff.

The company is loaded once for the module (seed 2024, as of a fixed Monday); reports are read as
of that day, as a department's manager would see them.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from crmkit import db
from crmkit.app import create_app
from crmkit.core.access.models import Department, Office
from crmkit.core.activities.rollup import ActivityHour, rebuild
from crmkit.core.auth.models import User
from crmkit.core.contacts.models import Organization, Person
from crmkit.core.demo import agency, agency_deals
from crmkit.core.demo.clock import ZONE
from crmkit.core.pipelines.totals import DealTotal
from crmkit.core.pipelines.models import Deal, DealCompetitor, DealPerson, LineItem, Pipeline, Stage
from crmkit.core.targets.models import SalesTarget
from crmkit.entities.transitions import Transition
from crmkit.migrate import upgrade_all
from crmkit.reports import engine
from crmkit.reports.context import Context
from crmkit.reports.registry import reports
from tests.conftest import TEST_SECRET, add_user, login, own_database

TODAY = date(2026, 3, 16)  # a Monday
NOON = datetime.combine(TODAY, time(12, 0), tzinfo=ZONE).astimezone(UTC)
STAFF_LINE = re.compile(r"^\s+(\S+@" + re.escape(agency.DOMAIN) + r")\s+(\S+)\s+(manager|agent)\s", re.MULTILINE)
KINDS = {name: kind for name, _office, kind in agency.DEPARTMENTS}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The app, and what `crmkit demo --seed 2024` printed loading the agency."""
    folder = tmp_path_factory.mktemp("agency")
    with pytest.MonkeyPatch.context() as env, own_database(folder) as url:
        env.setenv("CRMKIT_INSTANCE_PATH", str(folder / "instance"))
        env.setenv("CRMKIT_LOCALE", "en")
        app = create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET, "DATABASE_URL": url, "LOAD_ENTRY_POINTS": False})
        upgrade_all(db.engine_of(app), app.extensions["crmkit"].lineages)
        add_user(app, is_admin=True, name="Admin")
        result = app.test_cli_runner().invoke(args=["demo", "--seed", "2024", "--today", TODAY.isoformat()])
        assert result.exit_code == 0, result.output
        yield app, result.output
        db.engine_of(app).dispose()


@pytest.fixture
def session(demo):
    with demo[0].app_context():
        yield db.session()


def all_of(session, model):
    return list(session.execute(select(model).order_by(model.id)).scalars())


def tags_of(record) -> set[str]:
    return {t.strip() for t in (record.tags or "").split(",") if t.strip()}


# the agency and its staff
def test_the_agency_is_the_default_and_its_staff_log_in_with_the_printed_passwords(demo):
    app, output = demo
    printed = STAFF_LINE.findall(output)
    assert len(printed) >= 1 + 4 * 3
    email, password, _role = printed[-1]
    assert login(app.test_client(), email, password).status_code == 302


def test_offices_in_almaty_and_astana_each_with_a_sales_and_a_rentals_department(session):
    offices = {o.id: o.name for o in all_of(session, Office)}
    assert set(offices.values()) == {"Алматы", "Астана"}
    units = [d for d in all_of(session, Department) if d.parent_id is not None]
    assert {(offices[d.office_id], KINDS[d.name]) for d in units} == {
        (city, kind) for city in ("Алматы", "Астана") for kind in (agency.SALES, agency.RENT)
    }


def test_a_director_heads_the_agency_and_each_department_has_a_manager_and_two_to_four_agents(session):
    top = next(d for d in all_of(session, Department) if d.parent_id is None and d.name == agency.HEAD_DEPARTMENT)
    director = session.get(User, top.head_id)
    assert director.role == "manager" and director.manager_id is None
    for unit in (d for d in all_of(session, Department) if d.parent_id == top.id):
        head = session.get(User, unit.head_id)
        assert head.role == "manager" and head.manager_id == director.id
        agents = [u for u in all_of(session, User) if u.department_id == unit.id and u.role == "agent"]
        assert 2 <= len(agents) <= 4 and all(a.manager_id == head.id for a in agents)


def test_staff_have_kazakh_and_russian_names_with_the_surname_in_the_gender_of_the_first_name(session):
    staff = [u for u in all_of(session, User) if u.email.endswith(agency.DOMAIN)]
    kazakh = [u for u in staff if u.name.split()[0] in agency.w.KAZAKH_MALE + agency.w.KAZAKH_FEMALE]
    assert kazakh and len(kazakh) < len(staff)
    for user in staff:
        first, surname = user.name.split()
        female = first in agency.w.KAZAKH_FEMALE + agency.w.RUSSIAN_FEMALE
        assert surname.endswith("а") == female or surname in ("Ким", "Пак"), user.name


# clients
def test_private_clients_buy_sell_rent_and_let(session):
    needs = Counter(tag for p in all_of(session, Person) for tag in tags_of(p))
    assert all(needs[tag] >= 5 for tag, _line, _weight in agency.NEEDS), needs


def test_organisations_are_developers_employers_banks_and_competing_agencies(session):
    organisations = all_of(session, Organization)
    assert len(organisations) == 20
    tagged = Counter(tag for o in organisations for tag in tags_of(o))
    assert tagged["застройщик"] and tagged["корпоративная аренда"] and tagged["ипотека"]
    assert all(o.is_partner for o in organisations if "застройщик" in tags_of(o))
    assert sum(o.is_competitor for o in organisations) >= 3


def test_tenants_and_landlords_are_served_by_rentals_and_buyers_and_sellers_by_sales(session):
    departments = {u.id: KINDS.get(session.get(Department, u.department_id).name) for u in all_of(session, User)
                   if u.department_id}
    for person in all_of(session, Person):
        for tag, line, _weight in agency.NEEDS:
            if tag in tags_of(person):
                assert departments[person.owner_id] == line, (person.name, tag)


# deals
def test_both_pipelines_hold_open_won_and_lost_deals(session):
    kinds = {s.id: (s.pipeline_id, s.kind) for s in all_of(session, Stage)}
    pipelines = {p.id: p.names["ru"] for p in all_of(session, Pipeline)}
    found = Counter((pipelines[kinds[d.stage_id][0]], kinds[d.stage_id][1]) for d in all_of(session, Deal))
    for name in ("Продажа недвижимости", "Аренда"):
        assert all(found[(name, kind)] > 0 for kind in ("open", "won", "lost")), found


def test_a_private_clients_deal_names_them_as_its_person_and_the_pipeline_fits_their_need(session):
    rent = session.execute(select(Pipeline.id).where(Pipeline.names["en"].as_string() == "Rentals")).scalar_one()
    people = {p.id: p for p in all_of(session, Person)}
    linked = {row.deal_id: people[row.person_id] for row in all_of(session, DealPerson) if row.person_id in people}
    private = [d for d in all_of(session, Deal) if d.organization_id is None]
    assert private and all(d.id in linked for d in private)
    for deal in private:
        renting = tags_of(linked[deal.id]) & {"арендатор", "арендодатель"}
        assert (deal.pipeline_id == rent) == bool(renting), deal.title


def test_a_deals_amount_is_the_agencys_fee_for_the_property_its_title_names(session):
    lines = {line.deal_id: line for line in session.execute(select(LineItem)).scalars()}
    for deal in all_of(session, Deal):
        line = lines[deal.id]
        service, place = line.name.rsplit(": ", 1)
        kind = place.split(", ")[0]
        assert place in deal.title and deal.amount == line.price * (1 + line.vat_rate / 100)
        if service in [name for name, *_rest in agency_deals.RENT_FEES]:
            months = 3 if deal.organization_id else 1  # an employer pays three months' rent
            low, high = (n * 1000 * months for n in agency_deals.RENTS[kind])
        else:
            low, high = (max(n * 20_000, 400_000) for n in agency_deals.PRICES[kind])
        assert low <= line.price <= high, (deal.title, line.price)


def test_lost_deals_have_a_reason_and_some_went_to_a_competing_agency(session):
    lost = [d for d in all_of(session, Deal) if d.closed_at is not None and d.won_amount is None]
    assert lost and all(d.loss_reason_id for d in lost)
    rivals = {o.id for o in all_of(session, Organization) if o.is_competitor}
    taken = list(session.execute(select(DealCompetitor.organization_id)).scalars())
    assert taken and set(taken) <= rivals


def test_each_stay_in_a_stage_ends_when_the_next_move_is_made_and_the_last_is_open(session):
    stays = defaultdict(list)
    for row in session.execute(select(Transition).where(Transition.entity == "deal").order_by(Transition.at, Transition.id)).scalars():
        stays[row.record_id].append(row)
    assert len(stays) == session.execute(select(func.count()).select_from(Deal)).scalar_one()
    for moves in stays.values():
        assert moves[-1].left_at is None and moves[-1].seconds is None
        for stay, following in zip(moves, moves[1:]):
            assert stay.left_at == following.at and stay.seconds == round((following.at - stay.at).total_seconds())


def test_the_board_totals_kept_by_the_triggers_equal_the_deals(session):
    counted = dict(session.execute(select(Deal.stage_id, func.count()).where(Deal.archived_at.is_(None))
                                   .group_by(Deal.stage_id)).all())
    kept = Counter()
    for row in session.execute(select(DealTotal)).scalars():
        kept[row.stage_id] += row.deals
    assert {stage: n for stage, n in kept.items() if n} == counted


def test_the_hourly_activity_counts_are_what_a_recount_makes(session):
    before = sorted(tuple(r) for r in session.execute(select(ActivityHour.__table__)).all())
    rebuild(session)
    after = sorted(tuple(r) for r in session.execute(select(ActivityHour.__table__)).all())
    session.rollback()
    assert before and before == after


# targets and reports
def test_every_agent_and_department_has_a_target_for_each_month_of_the_year(session):
    targets = all_of(session, SalesTarget)
    agents = [u for u in all_of(session, User) if u.role == "agent" and u.email.endswith(agency.DOMAIN)]
    months = defaultdict(set)
    for target in targets:
        months[("u", target.user_id) if target.user_id else ("d", target.department_id)].add(target.month)
    year = {date(TODAY.year, m, 1) for m in range(1, 13)}
    assert all(months[("u", a.id)] == year for a in agents)
    for unit in {a.department_id for a in agents}:
        members = [a.id for a in agents if a.department_id == unit]
        unit_target = next(t.amount for t in targets if t.department_id == unit and t.month.month == 1)
        assert unit_target == sum(t.amount for t in targets if t.user_id in members and t.month.month == 1)


def figures(session, key: str, user: User, **args) -> list[Decimal]:
    report = reports().get(key)
    result = engine.run(report, Context.build(report, user, args, session, now=NOON))
    return [Decimal(str(v)) for row in result.rows for v in row.values.values()
            if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool)]


@pytest.mark.parametrize("key, args", [
    ("funnel", {"period": "this_year"}), ("plan_fact", {"period": "this_year"}), ("calls_heatmap", {"period": "this_year"}),
])
def test_a_department_manager_sees_figures_in_the_funnel_plan_and_fact_and_calls_heatmap(demo, key, args):
    app, _output = demo
    with app.test_request_context():
        session = db.session()
        manager = next(u for u in all_of(session, User) if u.role == "manager" and u.department_id
                       and session.get(Department, u.department_id).parent_id is not None)
        found = figures(session, key, manager, **args)
    assert found and sum(found) > 0, key
