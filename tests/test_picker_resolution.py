"""Text typed in a link field's picker and sent without choosing a suggestion (no JavaScript, or
Enter pressed too soon): the server looks it up. One visible match links it; none or several is an
error under the field, the form shown again with the text typed, and nothing saved."""

import pytest

from tests.picking import (
    agent_client,
    new_organization,
    new_person,
    organization_of,
    people_count,
    person_id,
    post,
    typed,
)

NONE_FOUND = "Nothing matches this name. Type part of it and choose from the suggestions."
SEVERAL = "Several records match this name. Type more of it, or choose from the suggestions."


@pytest.fixture
def app(make_app):
    return make_app(CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")


def test_a_name_matching_one_record_links_it(app, admin_client):
    alpha = new_organization(admin_client, "ТОО Алтын Құрылыс")
    new_organization(admin_client, "ТОО Береке")
    record = person_id(new_person(admin_client, **typed("алтын")))
    assert organization_of(app, record) == alpha


def test_a_name_matching_none_is_an_error_under_the_field_and_nothing_is_saved(app, admin_client):
    new_organization(admin_client, "ТОО Береке")
    response = new_person(admin_client, **typed("Омега"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'<ul class="errors" id="e-organization_id"><li>{NONE_FOUND}</li></ul>' in page
    assert 'name="organization_id-title" value="Омега"' in page and '<input type="hidden" name="organization_id" value="">' in page
    assert people_count(app) == 0


def test_a_name_matching_several_asks_for_more_of_it(app, admin_client):
    new_organization(admin_client, "АО Алтын Сервис")
    new_organization(admin_client, "ТОО Алтын Құрылыс")
    response = new_person(admin_client, **typed("Алтын"))
    assert response.status_code == 422
    assert f'<ul class="errors" id="e-organization_id"><li>{SEVERAL}</li></ul>' in response.get_data(as_text=True)
    assert people_count(app) == 0


def test_a_name_typed_in_full_wins_over_the_longer_names_that_contain_it(app, admin_client):
    alpha = new_organization(admin_client, "Alpha")
    new_organization(admin_client, "Alpha Services")
    assert organization_of(app, person_id(new_person(admin_client, **typed("Alpha")))) == alpha
    assert organization_of(app, person_id(new_person(admin_client, **typed("alpha")))) == alpha


def test_two_records_of_the_same_name_are_told_apart_by_the_one_chosen(app, admin_client):
    new_organization(admin_client, "Alpha")
    second = new_organization(admin_client, "Alpha")
    assert new_person(admin_client, **typed("Alpha")).status_code == 422
    assert organization_of(app, person_id(new_person(admin_client, **typed("Alpha", chosen=str(second))))) == second


def test_text_changed_after_choosing_is_looked_up_again(app, admin_client):
    alpha = new_organization(admin_client, "Alpha")
    beta = new_organization(admin_client, "Beta")
    assert organization_of(app, person_id(new_person(admin_client, **typed("Beta", chosen=str(alpha))))) == beta


def test_only_records_the_user_sees_are_matched(app, admin_client):
    new_organization(admin_client, "Admin's Alpha")
    agent = agent_client(app)
    mine = new_organization(agent, "Agent's Alpha")
    assert organization_of(app, person_id(new_person(agent, **typed("alpha")))) == mine


def test_every_field_error_is_shown_at_once(app, admin_client):
    response = new_person(admin_client, phone="12", **typed("Омега"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert NONE_FOUND in page and "Not a valid phone number." in page
    assert people_count(app) == 0


def test_an_edit_with_an_unknown_name_keeps_the_link_it_had(app, admin_client):
    alpha = new_organization(admin_client, "Alpha")
    record = person_id(new_person(admin_client, organization_id=str(alpha)))
    response = post(admin_client, f"/person/{record}/edit", name="Серикбаев Нурлан", version="1", **typed("Омега", str(alpha)))
    assert response.status_code == 422 and NONE_FOUND in response.get_data(as_text=True)
    assert organization_of(app, record) == alpha


def test_clearing_the_text_clears_the_link(app, admin_client):
    alpha = new_organization(admin_client, "Alpha")
    record = person_id(new_person(admin_client, organization_id=str(alpha)))
    response = post(admin_client, f"/person/{record}/edit", name="Серикбаев Нурлан", version="1", **typed("", str(alpha)))
    assert response.status_code == 302
    assert organization_of(app, record) is None


def test_a_custom_link_field_resolves_typed_text_too(app, admin_client):
    post(admin_client, "/admin/fields/", entity="person", name="referrer", label="Referrer", type="link", link="organization")
    alpha = new_organization(admin_client, "Alpha")
    response = new_person(admin_client, **{"custom.referrer-title": "alpha", "custom.referrer": ""})
    page = admin_client.get(f"/person/{person_id(response)}").get_data(as_text=True)
    assert f'<dt>Referrer</dt>\n      <dd><a href="/organization/{alpha}">' in page
