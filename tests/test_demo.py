"""`crmkit demo --profile trading`: a realistic company (staff, Kazakh and Russian counterparties, a year of work)
held exactly as the app holds records it made itself; and `crmkit serve` loading it on the first run.

(The default profile, the agency, is tests/test_demo_agency.py.) Most tests read one company loaded once for the module (seed 2024, as of a fixed Monday); the
ones that load again get a database of their own.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from crmkit import db, search
from crmkit.app import create_app
from crmkit.core.access.models import Department, Office
from crmkit.core.activities.models import Activity
from crmkit.core.activities.schemas import ActivitySchema
from crmkit.core.auth.models import User
from crmkit.core.contacts import channels, kz_ids, phones
from crmkit.core.contacts.models import Channel, Organization, Person
from crmkit.core.demo.clock import ZONE
from crmkit.core.demo.deals import DEALS_BY_SIZE
from crmkit.core.demo.profiles import PROFILES
from crmkit.core.demo.words import KAZAKH_SURNAMES, OUR_DOMAIN
from crmkit.core.demo.writer import as_input
from crmkit.core.pipelines import money
from crmkit.core.pipelines.models import Deal, DealCompetitor, LineItem, LossReason, Pipeline, PriceItem, Stage
from crmkit.entities.history import Change
from crmkit.entities.transitions import Transition
from crmkit.migrate import upgrade_all
from tests.conftest import ADMIN_EMAIL, TEST_SECRET, add_user, login, own_database

TODAY = date(2026, 3, 16)  # a Monday
DOMAINS = "|".join(re.escape(p.domain) for p in PROFILES.values())
STAFF_LINE = re.compile(r"^\s+(\S+@(?:" + DOMAINS + r"))\s+(\S+)\s+(manager|agent)\s", re.MULTILINE)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The app, and what `crmkit demo --profile trading --seed 2024` printed loading it."""
    folder = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as env, own_database(folder) as url:
        env.setenv("CRMKIT_INSTANCE_PATH", str(folder / "instance"))
        env.setenv("CRMKIT_LOCALE", "en")
        app = create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET, "DATABASE_URL": url, "LOAD_ENTRY_POINTS": False})
        upgrade_all(db.engine_of(app), app.extensions["crmkit"].lineages)
        add_user(app, is_admin=True, name="Admin")
        result = app.test_cli_runner().invoke(args=["demo", "--profile", "trading", "--seed", "2024", "--today", TODAY.isoformat()])
        assert result.exit_code == 0, result.output
        yield app, result.output
        db.engine_of(app).dispose()


@pytest.fixture
def session(demo):
    with demo[0].app_context():
        yield db.session()


def all_of(session, model):
    return list(session.execute(select(model).order_by(model.id)).scalars())


def local(moment: datetime) -> datetime:
    return moment.astimezone(ZONE)


def demo_cli(app, *args):
    return app.test_cli_runner().invoke(args=["demo", *args])


# staff
def test_each_new_users_password_is_printed_and_logs_them_in(demo):
    app, output = demo
    printed = STAFF_LINE.findall(output)
    with app.app_context():
        staff = db.session().execute(select(User.email).where(User.email.like(f"%@{OUR_DOMAIN}"))).scalars().all()
    assert sorted(email for email, _password, _role in printed) == sorted(staff)
    email, password, _role = printed[-1]
    assert login(app.test_client(), email, password).status_code == 302


def test_departments_each_have_a_manager_at_the_head_and_three_to_five_agents(session):
    departments = [d for d in all_of(session, Department) if d.parent_id is not None]
    assert len(departments) >= 2
    for department in departments:
        head = session.get(User, department.head_id)
        agents = session.execute(select(User).where(User.department_id == department.id, User.role == "agent")).scalars().all()
        assert head.role == "manager" and head.department_id == department.id
        assert 3 <= len(agents) <= 5
        assert {agent.manager_id for agent in agents} == {head.id}


def test_the_counts_printed_are_the_records_written(demo, session):
    found = re.search(r"Loaded a demo company \(seed 2024\): (\d+) organisations, (\d+) people, (\d+) activities, (\d+) deals", demo[1])
    assert found, demo[1]
    counts = [session.execute(select(func.count()).select_from(m)).scalar_one() for m in (Organization, Person, Activity, Deal)]
    assert list(map(int, found.groups())) == counts
    assert counts[0] == 20 and counts[1] >= 150 and 1800 <= counts[2] <= 2200


# counterparties
def test_every_phone_is_stored_in_e164_with_how_it_was_typed(session):
    for record in all_of(session, Organization) + all_of(session, Person):
        numbers = [n for n in [record.phone, *(record.other_phones or "").splitlines()] if n]
        assert all(phones.normalize(n, "KZ") == n for n in numbers), record.name
        assert set(record.phones_typed) == set(numbers)
        assert all(phones.normalize(typed, "KZ") == e164 for e164, typed in record.phones_typed.items())


def test_kazakh_and_russian_numbers_are_both_there(session):
    countries = Counter(phones.country_of(p.phone) for p in all_of(session, Person) if p.phone)
    assert countries["KZ"] > countries["RU"] > 0
    assert set(countries) == {"KZ", "RU"}


def test_iins_are_valid_and_agree_with_the_birthday(session):
    people = [p for p in all_of(session, Person) if p.iin]
    assert len(people) >= 10
    for person in people:
        assert kz_ids.is_valid_iin(person.iin)
        assert kz_ids.birth_date(person.iin) == person.birthday


def test_bins_are_valid_and_branches_have_a_branch_bin_and_a_head_office(session):
    organisations = all_of(session, Organization)
    assert all(kz_ids.is_valid_bin(o.bin) for o in organisations if o.bin)
    branches = [o for o in organisations if o.parent_id]
    assert branches, "some organisations have branches"
    for branch in branches:
        assert branch.bin[5] == "1" and session.get(Organization, branch.parent_id).bin[5] == "0"


def test_organisations_are_kazakh_and_russian_companies_of_each_legal_form(session):
    legal_names = " ".join(o.legal_name for o in all_of(session, Organization))
    for form in ("ТОО «", "ООО «", "Индивидуальный предприниматель"):
        assert form in legal_names


def test_people_have_kazakh_and_russian_names(session):
    surnames = Counter(p.name.split()[0].removesuffix("а") in KAZAKH_SURNAMES for p in all_of(session, Person))
    assert surnames[True] > 20 and surnames[False] > 20


def test_emails_are_in_latin_letters(session):
    emails = [p.email for p in all_of(session, Person) if p.email]
    assert len(emails) > 50
    assert all(re.fullmatch(r"[a-z0-9._-]+@[a-z0-9.-]+", e) for e in emails)


def test_clients_prospects_suppliers_partners_and_competitors_are_all_there(session):
    organisations = all_of(session, Organization)
    for role in ("is_client", "is_prospect", "is_supplier", "is_partner", "is_competitor"):
        assert any(getattr(o, role) for o in organisations), role


def test_people_are_owned_by_the_agents_every_agent_owning_some(session):
    agents = set(session.execute(select(User.id).where(User.role == "agent")).scalars())
    owners = Counter(p.owner_id for p in all_of(session, Person))
    assert set(owners) == agents


# what the app keeps beside the records
def test_the_caller_lookup_index_holds_every_phone_and_email(session):
    stored = {(c.kind, c.value, c.entity, c.record_id) for c in all_of(session, Channel)}
    expected = {
        (kind, value, entity, record.id)
        for entity, model in (("person", Person), ("organization", Organization))
        for record in all_of(session, model)
        for kind, value in channels.values_of(record)
    }
    assert stored == expected


def test_search_finds_a_demo_person_by_a_fragment_of_their_name(demo, session):
    person = next(p for p in all_of(session, Person) if len(p.name.split()) == 3)
    surname, first_name, _patronymic = person.name.split()
    admin = session.execute(select(User).where(User.email == ADMIN_EMAIL)).scalar_one()
    entity = demo[0].extensions["crmkit"].entities.get("person")
    groups = search.search(admin, f"{surname[:5].lower()} {first_name[:3].lower()}", entity=entity, limit=50)
    assert person.id in [record.id for record in groups[0].records]


def test_every_record_has_its_create_entry_in_the_history(session):
    for entity, model in (("organization", Organization), ("person", Person), ("activity", Activity)):
        entries = session.execute(
            select(Change.record_id, Change.user_id).where(Change.entity == entity, Change.action == "create")
        ).all()
        assert sorted(entries) == sorted((r.id, r.created_by_id) for r in all_of(session, model))


# a year of activities
def test_activities_span_the_year_before_today_and_the_weeks_after(session):
    moments = [local(a.happened_at).date() for a in all_of(session, Activity)]
    assert TODAY - timedelta(days=366) <= min(moments) <= TODAY - timedelta(days=350)
    assert TODAY < max(moments) <= TODAY + timedelta(days=21)
    assert {a.kind for a in all_of(session, Activity)} == {"call", "email", "meeting", "task", "note"}


def test_what_happened_happened_on_working_days_in_working_hours_in_almaty(session):
    for activity in all_of(session, Activity):
        moment = local(activity.happened_at)
        assert 9 <= moment.hour <= 18 and moment.weekday() != 6, (activity.kind, moment)


def test_only_planned_things_are_today_or_ahead(session):
    ahead = [a for a in all_of(session, Activity) if local(a.happened_at).date() >= TODAY]
    assert {a.kind for a in ahead} == {"task", "meeting"}
    assert {a.status for a in ahead if a.kind == "task"} == {"open"}


def test_calls_have_an_outcome_and_talk_time_only_when_answered(session):
    calls = [a for a in all_of(session, Activity) if a.kind == "call"]
    assert {c.outcome for c in calls} == {"answered", "missed", "busy", "no_answer"}
    assert all((c.duration_seconds > 0) == (c.outcome == "answered") for c in calls)
    assert all(phones.normalize(c.their_address, "KZ") == c.their_address for c in calls)


def test_past_tasks_are_done_cancelled_or_overdue_and_done_ones_say_when(session):
    past = [a for a in all_of(session, Activity) if a.kind == "task" and local(a.happened_at).date() < TODAY]
    assert {t.status for t in past} == {"done", "cancelled", "open"}
    assert all((t.done_at is not None) == (t.status == "done") for t in past)
    assert all(t.done_at < datetime.combine(TODAY, datetime.min.time(), ZONE) for t in past if t.done_at)


def test_every_agent_has_tasks_today_and_overdue_a_meeting_today_and_work_ahead(session):
    for agent in session.execute(select(User).where(User.role == "agent")).scalars():
        mine = session.execute(select(Activity).where(Activity.owner_id == agent.id)).scalars().all()
        days = {(a.kind, a.status, (local(a.happened_at).date() - TODAY).days) for a in mine}
        assert any(k == "task" and s == "open" and d == 0 for k, s, d in days), agent.email
        assert any(k == "task" and s == "open" and d < 0 for k, s, d in days), agent.email
        assert any(k == "meeting" and d == 0 for k, _s, d in days), agent.email
        assert any(d > 0 for _k, _s, d in days), agent.email


def test_every_activity_is_valid_input_for_the_activity_form(demo, session):
    declared = [name for name, f in ActivitySchema._declared_fields.items() if not f.dump_only]
    schema = ActivitySchema()
    for activity in all_of(session, Activity):
        values = {name: getattr(activity, name) for name in declared}
        assert schema.validate(as_input(values)) == {}, (activity.id, values)


# deals
def test_a_sales_and_a_rental_pipeline_hold_a_year_of_open_won_and_lost_deals(session):
    deals = all_of(session, Deal)
    assert len(deals) == DEALS_BY_SIZE["small"]
    kinds = {(d.pipeline_id, session.get(Stage, d.stage_id).kind) for d in deals}
    assert {kind for _p, kind in kinds} == {"open", "won", "lost"} and len({p for p, _k in kinds}) == 2
    assert TODAY - timedelta(days=366) <= min(local(d.created_at).date() for d in deals)
    assert all((d.closed_at is not None) == (session.get(Stage, d.stage_id).kind != "open") for d in deals)


def test_every_deal_moved_through_its_stages_with_a_transition_row_for_each_move(session):
    for deal in all_of(session, Deal):
        moves = session.execute(select(Transition).where(Transition.entity == "deal", Transition.record_id == deal.id)
                                .order_by(Transition.at, Transition.id)).scalars().all()
        assert moves[0].from_state is None and moves[0].at == deal.created_at
        assert all(a.to_state == b.from_state and a.at < b.at for a, b in zip(moves, moves[1:], strict=False))
        assert moves[-1].to_state == str(deal.stage_id) and moves[-1].at == deal.stage_entered_at
        assert deal.closed_at in (None, moves[-1].at)


def test_lost_deals_have_a_reason_and_some_name_the_competitor_who_won(session):
    lost = [d for d in all_of(session, Deal) if session.get(Stage, d.stage_id).kind == "lost"]
    assert lost and all(d.loss_reason_id is not None for d in lost)
    rivals = session.execute(select(DealCompetitor)).scalars().all()
    assert rivals and {r.deal_id for r in rivals} <= {d.id for d in lost}
    assert all(session.get(Organization, r.organization_id).is_competitor for r in rivals)


def test_deal_amounts_are_the_totals_of_their_lines_from_the_price_list(session):
    for deal in all_of(session, Deal):
        lines = session.execute(select(LineItem).where(LineItem.deal_id == deal.id)).scalars().all()
        assert lines and all(line.price_item_id is not None for line in lines)
        assert deal.amount == money.totals(lines).total
        assert deal.won_amount == (deal.amount if session.get(Stage, deal.stage_id).kind == "won" else None)


def test_most_open_deals_have_a_next_task(session):
    open_ids = {d.id for d in all_of(session, Deal) if d.closed_at is None}
    tasks = session.execute(select(Activity).where(Activity.about_entity == "deal", Activity.status == "open")).scalars().all()
    assert {t.about_id for t in tasks} <= open_ids and len({t.about_id for t in tasks}) >= len(open_ids) / 2


# loading again
def test_a_second_run_is_refused_and_changes_nothing(app):
    add_user(app, is_admin=True, name="Admin")
    assert demo_cli(app, "--seed", "1").exit_code == 0
    result = demo_cli(app, "--seed", "2")
    assert result.exit_code == 1
    assert "loaded into this database already; add --force" in result.output
    with app.app_context():
        assert db.session().execute(select(func.count()).select_from(Organization)).scalar_one() == 20


@pytest.mark.parametrize("profile", PROFILES)
def test_the_same_seed_makes_the_same_company_with_new_passwords(app, profile):
    add_user(app, is_admin=True, name="Admin")
    first = demo_cli(app, "--profile", profile, "--seed", "77", "--today", TODAY.isoformat())
    again = demo_cli(app, "--profile", profile, "--seed", "77", "--today", TODAY.isoformat(), "--force")
    assert first.exit_code == 0 and again.exit_code == 0, again.output
    with app.app_context():
        session = db.session()
        for model, fields in (
            (Organization, ("name", "legal_name", "bin", "phone", "email", "created_at")),
            (Person, ("name", "phone", "phones_typed", "email", "iin", "position", "created_at")),
            (Activity, ("kind", "subject", "body", "happened_at", "their_address", "outcome", "duration_seconds", "status")),
            (Deal, ("title", "pipeline_id", "stage_id", "amount", "created_at", "closed_at", "loss_reason_id")),
        ):
            rows = [tuple(getattr(r, f) for f in fields) for r in all_of(session, model)]
            half = len(rows) // 2
            assert rows[:half] == rows[half:], model.__name__
    first_passwords = [p for _e, p, _r in STAFF_LINE.findall(first.output)]
    again_passwords = [p for _e, p, _r in STAFF_LINE.findall(again.output)]
    assert first_passwords and not set(first_passwords) & set(again_passwords)


def test_a_forced_second_load_reuses_the_offices_pipelines_price_list_and_reasons(app):
    add_user(app, is_admin=True, name="Admin")
    counted = (Office, Department, Pipeline, Stage, PriceItem, LossReason)

    def counts():
        with app.app_context():
            return [db.session().execute(select(func.count()).select_from(m)).scalar_one() for m in counted]

    assert demo_cli(app, "--seed", "5", "--today", TODAY.isoformat()).exit_code == 0
    first = counts()
    assert demo_cli(app, "--seed", "6", "--today", TODAY.isoformat(), "--force").exit_code == 0
    assert counts() == first


# crmkit serve's first run
@pytest.fixture
def serve(database_url, instance_path, monkeypatch):
    """Run `crmkit serve` up to where it would start serving; give what it printed and its app."""
    import waitress

    from crmkit.cli import cli

    monkeypatch.setattr(waitress, "serve", lambda *args, **kwargs: None)
    for name in ("CRMKIT_SECRET_KEY", "CRMKIT_ADMIN_EMAIL", "CRMKIT_ADMIN_PASSWORD", "CRMKIT_DEMO"):
        monkeypatch.delenv(name, raising=False)
    apps = []

    def run(*args, **env):
        result = CliRunner().invoke(cli, ["serve", *args], env={"CRMKIT_DATABASE_URL": database_url, "CRMKIT_LOCALE": "en", **env})
        assert result.exit_code == 0, result.output
        apps.append(create_app({"DATABASE_URL": database_url, "LOAD_ENTRY_POINTS": False}))
        return result.output, apps[-1]

    yield run
    for app in apps:
        db.engine_of(app).dispose()


def people_in(app) -> int:
    with app.app_context():
        return db.session().execute(select(func.count()).select_from(Person)).scalar_one()


FIRST_ADMIN = re.compile(r"Log in as admin@example.com with the password \S+ \(shown once")


def test_serve_loads_the_demo_on_the_first_run_and_prints_how_to_log_in(serve):
    output, app = serve()
    assert re.search(r"Loaded a demo company \(seed \d+\): 20 organisations", output)
    assert STAFF_LINE.search(output) and FIRST_ADMIN.search(output)
    assert f"@{PROFILES['agency'].domain}" in output and f"@{OUR_DOMAIN}" not in output  # the agency by default
    assert people_in(app) >= 150


def test_serve_loads_nothing_after_the_first_run(serve):
    _first, app = serve()
    loaded = people_in(app)
    output, app = serve()
    assert "Loaded a demo company" not in output
    assert people_in(app) == loaded


@pytest.mark.parametrize("args, env", [(["--no-demo"], {}), ([], {"CRMKIT_DEMO": "0"})])
def test_serve_starts_empty_when_told_to(serve, args, env):
    output, app = serve(*args, **env)
    assert "Loaded a demo company" not in output and FIRST_ADMIN.search(output)
    assert people_in(app) == 0
