"""The search index behind the search box: kept in step by entity events in the same transaction,
rebuilt by `crmkit search reindex`, and offered to other code as ``matching_ids``."""

import pytest
from alembic import command
from sqlalchemy import func, insert, select, text

from crmkit import db, search
from crmkit.core.auth.models import User
from crmkit.entities.errors import Conflict
from crmkit.entities.service import Records
from crmkit.migrate import upgrade
from crmkit.search import postgres, sqlite
from crmkit.search.models import SearchDocument
from crmkit.search.text import parse
from tests.conftest import add_user
from tests.plugins.phonebook import hooks as phonebook
from tests.plugins.phonebook.hooks import Person
from tests.plugins.projects import hooks as projects
from tests.statements import statements_on

ONE_TRIGRAM_INDEX = "8b3f0c6d2a71"  # the revision that made the index what it is


@pytest.fixture
def app(make_app):
    return make_app(plugins=[phonebook], CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")


@pytest.fixture
def admin(app):
    return add_user(app, is_admin=True, name="Admin")


def person_entity(app):
    return app.extensions["crmkit"].entities.get("phonebook.person")


def people(app, user, **data):
    with app.app_context():
        return Records(person_entity(app), db.session().get(User, user.id)).create(data)


def names_found(app, user, q, **options):
    with app.app_context():
        groups = search.search(db.session().get(User, user.id), q, **options)
        return [record.name for group in groups for record in group.records]


def insert_rows_behind_the_index(app, count):
    """Rows written straight into the table, as a bulk load or a restored backup would."""
    with app.app_context():
        rows = [{"name": f"Bulk {n}", "phone": f"+7701555{n:04d}", "version": 1, "extra": {}} for n in range(count)]
        db.session().execute(insert(Person), rows)
        db.session().commit()


def test_a_record_created_through_the_service_is_found_at_once(app, admin):
    people(app, admin, name="Ёлкин Пётр", phone="+7 701 111 22 33")
    assert names_found(app, admin, "елкин") == ["Ёлкин Пётр"]


def test_a_stale_edit_leaves_the_index_as_it_was(app, admin):
    created = people(app, admin, name="Kept name")
    with app.app_context(), pytest.raises(Conflict):
        records = Records(person_entity(app), db.session().get(User, admin.id))
        records.update(records.get(created.id), {"name": "Changed name"}, version=99)
    assert names_found(app, admin, "kept") == ["Kept name"] and names_found(app, admin, "changed") == []


def test_archived_records_are_found_when_asked_for(app, admin):
    created = people(app, admin, name="Archived one")
    with app.app_context():
        records = Records(person_entity(app), db.session().get(User, admin.id))
        records.archive(records.get(created.id))
    assert names_found(app, admin, "archived") == []
    assert names_found(app, admin, "archived", include_archived=True) == ["Archived one"]


def test_reindex_command_indexes_rows_written_behind_its_back(app, admin):
    insert_rows_behind_the_index(app, 2500)
    assert names_found(app, admin, "bulk 2499") == []
    result = app.test_cli_runner().invoke(args=["search", "reindex", "phonebook.person"])
    assert result.exit_code == 0, result.output
    assert "Indexed 2500 records." in result.output
    assert names_found(app, admin, "bulk 2499") == ["Bulk 2499"]
    assert names_found(app, admin, "555 2498") == ["Bulk 2498"]


def test_reindex_replaces_entries_instead_of_adding_to_them(app, admin):
    people(app, admin, name="Only once")
    assert app.test_cli_runner().invoke(args=["search", "reindex"]).exit_code == 0
    with app.app_context():
        assert db.session().execute(select(func.count()).select_from(SearchDocument)).scalar_one() == 1


def test_reindex_names_the_entities_it_knows_when_given_an_unknown_one(app):
    result = app.test_cli_runner().invoke(args=["search", "reindex", "nope"])
    assert result.exit_code != 0 and "phonebook.person" in result.output


def test_matching_ids_combines_with_the_users_visible_records(app, admin):
    agent = add_user(app, "agent@example.com", "a long agent passphrase", role="agent")
    people(app, admin, name="Admin Smith")
    mine = people(app, agent, name="Agent Smith")
    with app.app_context():
        entity = person_entity(app)
        records = Records(entity, db.session().get(User, agent.id))
        statement = records.select().where(entity.model.id.in_(search.matching_ids(entity, "smith")))
        assert [r.id for r in db.session().execute(statement).scalars()] == [mine.id]


def test_an_empty_or_blank_query_matches_nothing(app, admin):
    people(app, admin, name="Anyone")
    with app.app_context():
        entity = person_entity(app)
        assert list(db.session().execute(search.matching_ids(entity, "  ")).scalars()) == []
    assert names_found(app, admin, "") == []


def test_query_syntax_is_taken_as_plain_text(app, admin):
    people(app, admin, name='Quote "and" star*')
    for q in ['"and"', "star*", "NOT OR AND", "a:b", "(x", "'"]:
        names_found(app, admin, q)  # never an error
    assert names_found(app, admin, '"and" star*') == ['Quote "and" star*']


def test_the_index_lives_in_engine_specific_structures_that_db_check_ignores(app):
    result = app.test_cli_runner().invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        engine = db.session().get_bind().dialect.name
        probe = {
            "sqlite": "SELECT name FROM sqlite_master WHERE name LIKE 'core_search_%' AND type = 'table' AND sql LIKE '%VIRTUAL%'",
            "postgresql": "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND indexname LIKE 'ix_core_search%'",
        }[engine]
        names = set(db.session().execute(text(probe)).scalars())
    assert names == {
        "sqlite": {"core_search_trigram"},
        "postgresql": {
            "ix_core_search_document_content_trgm",
            "ix_core_search_document_digits_trgm",
            "ix_core_search_document_digit_pairs_trgm",
            "ix_core_search_document_entity_id",
        },
    }[engine]


def test_an_agent_finds_an_old_record_of_theirs_behind_many_newer_hits_of_others(app, admin):
    agent = add_user(app, "agent@example.com", "a long agent passphrase", role="agent")
    people(app, agent, name="Bulk mine")
    insert_rows_behind_the_index(app, search.MAX_PAGE + 500)
    with app.app_context():
        search.reindex()
    assert names_found(app, agent, "bulk") == ["Bulk mine"]


def test_a_word_common_in_one_entity_leaves_the_few_hits_of_another_found(make_app):
    app = make_app(plugins=[phonebook, projects], CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")
    admin = add_user(app, is_admin=True, name="Admin")
    with app.app_context():
        entity = app.extensions["crmkit"].entities.get("projects.project")
        Records(entity, db.session().get(User, admin.id)).create({"name": "Bulk project", "status": "planned"})
    insert_rows_behind_the_index(app, search.MAX_PAGE + 500)
    with app.app_context():
        search.reindex([person_entity(app)])
        groups = search.search(db.session().get(User, admin.id), "bulk")
        assert [(g.entity.key, len(g.records), g.more) for g in groups] == [("phonebook.person", 10, True), ("projects.project", 1, False)]


@pytest.mark.crmkit_fresh_database  # asserts query plans
def test_a_search_reads_an_entitys_entries_newest_first_without_sorting_its_hits(app):
    """So that a common word stops after a page: SQLite's FTS5 walks the entity's id range in
    order; PostgreSQL reads the entity's newest entries from (entity, id) and could not from the
    primary key (which would skip every other entity's entries on the way)."""
    insert_rows_behind_the_index(app, 100)
    with app.app_context():
        search.reindex()
        session, query = db.session(), parse("bulk")

        def plan(statement, explain="EXPLAIN"):
            sql = str(statement.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
            return " | ".join(str(row[-1]) for row in session.execute(text(f"{explain} {sql}")))

        if session.get_bind().dialect.name == "sqlite":
            walk = plan(sqlite._hits(query, *sqlite.span("phonebook.person")).limit(11), "EXPLAIN QUERY PLAN")
            assert "VIRTUAL TABLE" in walk and "TEMP B-TREE" not in walk, walk
            return
        window = postgres.in_window(query, "phonebook.person", 11)
        session.execute(text("SET LOCAL enable_sort = off"))  # the table is too small to need an index
        assert "Index Scan Backward using ix_core_search_document_entity_id" in plan(window)
        session.execute(text("DROP INDEX ix_core_search_document_entity_id"))  # rolled back below
        assert "pk_core_search_document" not in plan(window)
        session.rollback()


def test_an_index_made_before_its_last_revision_is_converted_both_ways(app, admin):
    people(app, admin, name="Older one", phone="+7 701 111 22 33")
    people(app, admin, name="Newer one")
    engine, core = db.engine_of(app), app.extensions["crmkit"].lineages[0]
    with engine.begin() as conn:
        command.downgrade(core.config(conn), f"{ONE_TRIGRAM_INDEX}-1")
    with app.app_context():
        contents = db.session().execute(text("SELECT content FROM core_search_document ORDER BY id")).scalars().all()
    assert [c.split("\n")[0] for c in contents] == ["older one", "newer one"]  # no word marks, oldest first
    upgrade(engine, core)
    assert names_found(app, admin, "one") == ["Newer one", "Older one"]
    assert names_found(app, admin, "111 22") == ["Older one"]


def test_the_most_recently_changed_records_come_first(app, admin):
    first = people(app, admin, name="Order first")
    people(app, admin, name="Order second")
    with app.app_context():
        records = Records(person_entity(app), db.session().get(User, admin.id))
        records.update(records.get(first.id), {"name": "Order first, edited"}, version=None)
    assert names_found(app, admin, "order") == ["Order first, edited", "Order second"]


def test_imported_records_are_found_at_once(app, admin, tmp_path):
    csv = tmp_path / "people.csv"
    csv.write_text("name,phone,email\nИмпортов Олег,+7 701 999 88 77,oleg@example.com\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["import", "phonebook.person", str(csv)])
    assert result.exit_code == 0, result.output
    assert names_found(app, admin, "импортов") == ["Импортов Олег"]
    assert names_found(app, admin, "999 88") == ["Импортов Олег"]


def test_a_change_to_no_searched_field_leaves_the_index_untouched(app, admin):
    created = people(app, admin, name="Quiet one", note="first note")
    with app.app_context(), statements_on(app, "core_search") as sent:
        records = Records(person_entity(app), db.session().get(User, admin.id))
        records.update(records.get(created.id), {"note": "second note"}, version=created.version)
    assert sent == []
    assert names_found(app, admin, "quiet") == ["Quiet one"]


def test_a_change_to_a_searched_field_reindexes_the_record(app, admin):
    created = people(app, admin, name="Old name", note="first note")
    with app.app_context():
        records = Records(person_entity(app), db.session().get(User, admin.id))
        records.update(records.get(created.id), {"name": "New name", "note": "second"}, version=created.version)
    assert names_found(app, admin, "new") == ["New name"] and names_found(app, admin, "old") == []
