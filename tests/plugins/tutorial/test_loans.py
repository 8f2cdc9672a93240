import pytest

from crmkit.testing import csrf_token
from crmkit_loans import hooks


@pytest.fixture
def crmkit_plugins():
    return [hooks]


def save(client, url, **fields):
    return client.post(url, data={"csrf_token": csrf_token(client, "/loans/loan/new"), **fields})


def test_a_loan_is_lent_then_returned(client_for, make_user):
    client = client_for(make_user("agent", locale="en"))
    lent = save(client, "/loans/loan/new", item="Projector", status="lent")
    returned = save(client, lent.location + "/edit", item="Projector", status="returned", version=1)
    assert returned.status_code == 302
    assert "Returned" in client.get(lent.location).get_data(as_text=True)


def test_a_lost_loan_needs_a_note(agent_client):
    lent = save(agent_client, "/loans/loan/new", item="Camera", status="lent")
    assert save(agent_client, lent.location + "/edit", item="Camera", status="lost", version=1).status_code == 422
    assert save(agent_client, lent.location + "/edit", item="Camera", status="lost", note="Fell", version=1).status_code == 302


def test_a_persons_page_lists_what_they_have(agent_client):
    person = save(agent_client, "/person/new", name="Dana Serikova")
    person_id = person.location.rsplit("/", 1)[1]
    save(agent_client, "/loans/loan/new", item="Drill", person_id=person_id, status="lent")
    assert "Drill" in agent_client.get(person.location).get_data(as_text=True)


def test_it_speaks_russian(client_for, make_user):
    page = client_for(make_user("agent", locale="ru")).get("/loans/loan/").get_data(as_text=True)
    assert "Выдачи" in page and "Вернуть до" in page
