"""The REST API's lists take a report's drill-down filters (``?in_report=``, ``owner_id__in``,
``closed_at__lt``) with the same visibility as the pages, so a figure's count is the API's total."""

from __future__ import annotations

import re

import pytest

from crmkit import db
from tests.people import client_as, page
from tests.test_reports_frame import generate, staff

FIGURE = re.compile(r'<a href="/(organization|person|deal)/\?([^"]+)">([\d\s\u00a0,]+)</a>')


@pytest.fixture
def world(app):
    people = staff(app)
    return {**people, **generate(app, people, seed=5, organizations=90)}


def figures(client, report: str) -> list[tuple[str, str, int]]:
    """Each linked figure of a report page: the entity's path, the list's query, the figure."""
    return [(path, query.replace("&amp;", "&"), int(re.sub(r"\D", "", figure)))
            for path, query, figure in FIGURE.findall(page(client, f"/reports/{report}"))]


def api_total(client, path: str, query: str) -> int:
    response = client.get(f"/api/v1/{path}?{query}")
    assert response.status_code == 200, (query, response.get_json())
    return response.get_json()["total"]


@pytest.mark.parametrize("report", [
    "clients_new/?period=this_year&by=month",  # period as created_at__gte/__lt, owners as owner_id__in
    "clients_abc/?period=all",  # ?in_report=: ABC classes no list filter expresses
    "clients_idle/?days=30",
])
def test_each_figure_a_manager_sees_is_the_total_of_the_api_list_it_links_to(app, world, report):
    manager = client_as(app, "boss@example.com")
    linked = figures(manager, report)
    assert len(linked) >= 2
    for path, query, figure in linked:
        assert api_total(manager, path, query) == figure, query


def test_an_agent_following_a_manager_s_figure_through_the_api_counts_only_their_own(app, world):
    manager, agent = client_as(app, "boss@example.com"), client_as(app, "north@example.com")
    for path, query, _figure in figures(manager, "clients_abc/?period=all"):
        items = agent.get(f"/api/v1/{path}?{query}&limit=200").get_json()["items"]
        assert {item["owner_id"] for item in items} <= {world["north"]}


def test_a_figure_of_a_report_the_caller_may_not_run_is_a_400_naming_in_report(app, world):
    agent = client_as(app, "north@example.com")
    path, query, _figure = figures(agent, "clients_abc/?period=all")[0]
    with app.app_context():
        from crmkit.core.access.models import Role

        db.session().get(Role, "agent").permissions = ["organization.view"]
        db.session().commit()
    refused = agent.get(f"/api/v1/{path}?{query}")
    assert refused.status_code == 400
    assert list(refused.get_json()["error"]["fields"]) == ["in_report"]


@pytest.mark.parametrize("query, field", [
    ("in_report=no_such_report%3Fperiod%3Dall", "in_report"),
    ("owner_id__in=1,x", "owner_id__in"),
    ("created_at__lt=yesterday", "created_at__lt"),
    ("name__like=a", None),  # no such operator, on the pages' lists either
])
def test_a_drill_down_filter_with_a_bad_value_is_a_400_naming_it(app, world, query, field):
    admin = client_as(app, "admin@example.com")
    refused = admin.get(f"/api/v1/organization?{query}")
    assert refused.status_code == 400, refused.get_json()
    assert list(refused.get_json()["error"]["fields"]) == [field or query.split("=")[0]]
