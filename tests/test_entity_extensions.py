"""Fields on another plugin's entity: light ones in its ``extra`` column, typed ones in a table of
the extending plugin; each group nested under the plugin's name."""

import pytest
from sqlalchemy import select

from crmkit import db
from crmkit.entities.history import Change
from tests.conftest import csrf_token
from tests.plugins.campaigns import hooks as campaigns
from tests.plugins.projects import hooks as projects
from tests.plugins.scoring import hooks as scoring


@pytest.fixture
def app(make_app):
    return make_app(plugins=[projects, campaigns, scoring], CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")


def create(client, **fields):
    data = {"name": "Flat on Abay", "status": "planned", "csrf_token": csrf_token(client, "/projects/project/new"), **fields}
    return client.post("/projects/project/new", data=data)


def stored(app, record_id=1):
    with app.app_context():
        project = db.session().get(projects.Project, record_id)
        score = db.session().execute(select(scoring.ProjectScore)).scalars().first()
        return project, score


def test_hook_entity_extensions(app, admin_client):
    page = admin_client.get("/projects/project/new").get_data(as_text=True)
    assert '<legend>Campaign</legend>' in page and '<legend>Scoring</legend>' in page
    assert 'name="campaigns.utm_source"' in page and 'name="scoring.score"' in page


def test_light_fields_are_saved_in_the_extra_column_under_the_plugin_name(app, admin_client):
    assert create(admin_client, **{"campaigns.utm_source": "mail", "campaigns.landing_visits": "3"}).status_code == 302
    project, _ = stored(app)
    assert project.extra == {"campaigns": {"utm_source": "mail", "landing_visits": 3}}


def test_typed_fields_are_saved_in_the_extending_plugins_table_one_row_per_record(app, admin_client):
    create(admin_client, **{"scoring.score": "80", "scoring.tier": "gold"})
    project, score = stored(app)
    assert (score.record_id, score.score, score.tier) == (project.id, 80, "gold")
    assert "scoring" not in project.extra


def test_the_detail_page_shows_each_plugins_fields_under_its_heading(app, admin_client):
    location = create(admin_client, **{"campaigns.utm_campaign": "spring-sale", "scoring.score": "42"}).location
    page = admin_client.get(location).get_data(as_text=True)
    assert "<h2>Campaign</h2>" in page and "spring-sale" in page
    assert "<h2>Scoring</h2>" in page and "<dd>42</dd>" in page


def test_a_bad_extension_value_is_reported_under_its_own_field_and_nothing_is_saved(app, admin_client):
    response = create(admin_client, **{"campaigns.utm_source": "tv", "scoring.score": "500"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="e-campaigns.utm_source"' in page and 'id="e-scoring.score"' in page
    assert stored(app) == (None, None)


def test_the_history_records_extension_fields_with_dotted_keys(app, admin_client):
    location = create(admin_client, **{"campaigns.utm_source": "ads", "scoring.score": "10"}).location
    token = csrf_token(admin_client, location + "/edit")
    form = {"name": "Flat on Abay", "status": "planned", "version": "1", "csrf_token": token}
    admin_client.post(location + "/edit", data={**form, "campaigns.utm_source": "mail", "scoring.score": "20"})
    with app.app_context():
        changes = [c.changes for c in db.session().execute(select(Change).order_by(Change.id)).scalars()]
    assert changes[-1] == {"campaigns.utm_source": ["ads", "mail"], "scoring.score": [10, 20]}
    page = admin_client.get(location).get_data(as_text=True)
    assert "Source: <del>ads</del> → <ins>mail</ins>" in page


def test_an_edit_keeps_extension_values_the_form_did_not_change(app, admin_client):
    location = create(admin_client, **{"campaigns.utm_campaign": "spring", "scoring.tier": "silver"}).location
    token = csrf_token(admin_client, location + "/edit")
    edit = admin_client.get(location + "/edit").get_data(as_text=True)
    assert 'value="spring"' in edit
    form = {"name": "Renamed", "status": "planned", "version": "1", "csrf_token": token}
    admin_client.post(location + "/edit", data={**form, "campaigns.utm_campaign": "spring", "scoring.tier": "silver"})
    project, score = stored(app)
    assert project.name == "Renamed" and project.extra["campaigns"]["utm_campaign"] == "spring" and score.tier == "silver"


def test_the_list_filters_by_a_typed_and_a_light_extension_field(app, admin_client):
    create(admin_client, name="Gold mail", **{"campaigns.utm_source": "mail", "scoring.tier": "gold"})
    create(admin_client, name="Silver ads", **{"campaigns.utm_source": "ads", "scoring.tier": "silver"})
    by_tier = admin_client.get("/projects/project/?scoring.tier=gold").get_data(as_text=True)
    by_source = admin_client.get("/projects/project/?campaigns.utm_source=ads").get_data(as_text=True)
    assert "Gold mail" in by_tier and "Silver ads" not in by_tier
    assert "Silver ads" in by_source and "Gold mail" not in by_source


def test_an_extension_named_like_a_field_of_the_entity_stops_start_up(make_app):
    from crmkit import EntityExtension
    from crmkit.entities.extensions import ExtensionError
    from tests.test_entity_hooks import plugin

    # a plugin called "status" would put its fields where the project's status field is
    status = plugin("status", entity_extensions=lambda: [EntityExtension("projects.project", campaigns.CampaignFields)])
    with pytest.raises(ExtensionError, match=r"plugin 'status'.*taken by a field"):
        make_app(plugins=[projects, status])
