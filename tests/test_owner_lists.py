"""Who owns what, on every list: an Owner column by name, a filter by owner with "me", so a
director lists one agent's clients; the activities list says what each is about and with whom;
a record's page names its responsible agent."""

import re

import pytest

from crmkit.core.records import links
from tests.merging import create
from tests.pipelining import new_pipeline

ADMIN = "admin@example.com"


@pytest.fixture
def app(make_app):
    return make_app(CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")


@pytest.fixture
def team(app, admin_client, make_user):
    """The admin (logged in) and two agents, Aigerim and Bolat, by id."""
    aigerim, bolat = make_user("agent", name="Aigerim Agent"), make_user("agent", name="Bolat Agent")
    return {"admin": admin_client, "aigerim": aigerim, "bolat": bolat}


def give(app, key, record_id, user):
    from crmkit import db
    from tests.merging import records

    with app.test_request_context():
        service = records(app, key)
        service.assign_owner(service.get(record_id), user.id)
        db.session().commit()


def rows(page: str) -> list[str]:
    return re.findall(r"<tr>\s*(?:<td class=\"check\">.*?</td>\s*)?<td[^>]*><a href.*?</tr>", page, re.S)


def column(page: str, label: str) -> bool:
    return re.search(rf"<th>(?:<a [^>]*>)?{label}", page) is not None


def one_of_each(app, team) -> dict[str, tuple[int, int]]:
    """Per entity: a record of Aigerim's and one of Bolat's."""
    stages = new_pipeline(app)
    made = {}
    for key, values in (("person", {"name": "{} client"}), ("organization", {"name": "{} company"}),
                        ("deal", {"title": "{} deal", "pipeline_id": stages["pipeline"]}),
                        ("activity", {"kind": "note", "subject": "{} note"})):
        ids = []
        for agent in ("aigerim", "bolat"):
            filled = {k: v.format(agent.capitalize()) if isinstance(v, str) else v for k, v in values.items()}
            record_id = create(app, key, ADMIN, **filled)
            give(app, key, record_id, team[agent])
            ids.append(record_id)
        made[key] = tuple(ids)
    return made


@pytest.mark.parametrize("key", ["person", "organization", "deal", "activity"])
def test_every_list_shows_the_owner_by_name(app, team, key):
    one_of_each(app, team)
    page = team["admin"].get(f"/{key}/").get_data(as_text=True)
    assert column(page, "Owner")
    assert '<td data-label="Owner">Aigerim Agent</td>' in page and '<td data-label="Owner">Bolat Agent</td>' in page


@pytest.mark.parametrize("key", ["person", "organization", "deal", "activity"])
def test_a_director_lists_one_agents_records(app, team, key):
    made = one_of_each(app, team)
    page = team["admin"].get(f"/{key}/?owner_id={team['bolat'].id}").get_data(as_text=True)
    found = rows(page)
    assert len(found) == 1 and f'href="/{key}/{made[key][1]}"' in found[0]


@pytest.mark.parametrize("key", ["person", "organization", "deal", "activity"])
def test_the_owner_filter_offers_me_and_the_users_by_name(app, team, key):
    page = team["admin"].get(f"/{key}/").get_data(as_text=True)
    select = re.search(r'<select name="owner_id">.*?</select>', page, re.S).group(0)
    assert '<option value="me">Me</option>' in select and ">Aigerim Agent</option>" in select


@pytest.mark.parametrize("key", ["person", "organization", "deal", "activity"])
def test_me_lists_the_records_of_whoever_looks(app, team, key, client_for):
    made = one_of_each(app, team)
    page = client_for(team["aigerim"]).get(f"/{key}/?owner_id=me").get_data(as_text=True)
    found = rows(page)
    assert len(found) == 1 and f'href="/{key}/{made[key][0]}"' in found[0]


def test_owner_names_are_read_in_one_query_per_page(app, team, monkeypatch):
    one_of_each(app, team)
    asked = []
    original = links.user_names
    monkeypatch.setattr(links, "user_names", lambda ids: asked.append(set(ids)) or original(ids))
    team["admin"].get("/person/")
    assert asked == [{team["aigerim"].id, team["bolat"].id}]


def test_the_activities_list_shows_what_each_is_about_and_with_whom(app, team):
    person = create(app, "person", ADMIN, name="Dana Client")
    organization = create(app, "organization", ADMIN, name="Altyn Stroy")
    create(app, "activity", ADMIN, kind="call", subject="First call", about_entity="person", about_id=person)
    create(app, "activity", ADMIN, kind="meeting", subject="Viewing", happened_at="2026-03-02T10:00:00+05:00",
           about_entity="organization", about_id=organization, participants="Dana and her husband")
    page = team["admin"].get("/activity/").get_data(as_text=True)
    call = next(row for row in rows(page) if "First call" in row)
    meeting = next(row for row in rows(page) if "Viewing" in row)
    assert column(page, "About") and column(page, "With")
    assert call.count(f'<a href="/person/{person}">Dana Client</a>') == 2  # about her, with her
    assert f'<a href="/organization/{organization}">Altyn Stroy</a>' in meeting and "Dana and her husband" in meeting


def test_a_call_to_a_number_is_shown_with_the_person_who_holds_it(app, team):
    person = create(app, "person", ADMIN, name="Dana Client", phone="+77011234567")
    organization = create(app, "organization", ADMIN, name="Altyn Stroy")
    create(app, "activity", ADMIN, kind="call", subject="Called the office", their_address="+77011234567",
           about_entity="organization", about_id=organization)
    page = team["admin"].get("/activity/").get_data(as_text=True)
    call = next(row for row in rows(page) if "Called the office" in row)
    assert f'<a href="/person/{person}">Dana Client</a>' in call


def test_a_record_page_names_its_responsible_agent(app, team):
    person = create(app, "person", ADMIN, name="Dana Client")
    give(app, "person", person, team["aigerim"])
    page = team["admin"].get(f"/person/{person}").get_data(as_text=True)
    assert re.search(r'<p class="record-owner">Owner: <strong>Aigerim Agent</strong></p>', page)


def test_the_history_names_the_new_owner(app, team):
    person = create(app, "person", ADMIN, name="Dana Client")
    give(app, "person", person, team["aigerim"])
    history = team["admin"].get(f"/person/{person}").get_data(as_text=True).split('id="history"')[1]
    assert "Owner" in history and "Aigerim Agent" in history
