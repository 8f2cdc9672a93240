"""The unmet-demand report: active demand no active object meets, by district, kind and budget
band, equal to a plain Python count over random data, and drilled down to its demands."""

import random
from collections import Counter
from decimal import Decimal
from urllib.parse import parse_qsl

from sqlalchemy import select

from crmkit import api
from crmkit.reports import Context
from crmkit.reports.engine import run
from crmkit.reports.registry import reports
from crmkit_real_estate import demand
from crmkit_real_estate.demand_models import Demand
from crmkit_real_estate.models import Property

from demand_data import add_bulk, add_demand, add_object, random_demand, random_object
from test_matching import reference_match

KEY = "real_estate.unmet_demand"
BANDS = [Decimal(20_000_000), Decimal(40_000_000), Decimal(60_000_000)]


def run_report(user, **args):
    report = reports().get(KEY)
    return run(report, Context.build(report, user, {"period": "all", **args}))


def figure_of(row):
    query = row.drill["demands"]["in_report"].split("?", 1)[1]
    figure = {k.removeprefix("figure."): v for k, v in parse_qsl(query) if k.startswith("figure.")}
    return figure["district"], figure["kind"], int(figure["band"])


def band_in_python(d):
    budget = d.budget_max if d.budget_max is not None else d.budget_min
    if budget is None:
        return -1
    return next((i for i, limit in enumerate(BANDS) if budget <= limit), len(BANDS))


def test_the_report_equals_a_count_in_python_over_random_data(app, make_user):
    admin = make_user("admin")
    rng = random.Random(7)
    with app.test_request_context():
        add_bulk(admin.id, [random_object(rng) for _ in range(200)], [random_demand(rng) for _ in range(300)])
        db = api.session()
        objects = list(db.execute(select(Property)).scalars())
        expected, unmet = Counter(), set()
        for d in db.execute(select(Demand)).scalars():
            if d.status != "active" or d.deal_type != "sale" or d.currency != "KZT":
                continue
            if any(reference_match(d, p) for p in objects):
                continue
            unmet.add(d.id)
            for district in demand.split_districts(d.districts) or ["*"]:
                expected[(district, d.kind, band_in_python(d))] += 1
        result = run_report(admin, bands="20000000, 40000000,60000000")
        assert len(unmet) > 20 and len(expected) > 10  # the data leaves gaps to find
        assert {figure_of(row): row.values["demands"] for row in result.rows} == dict(expected)
        assert result.totals.values["demands"] == len(unmet)


def test_a_demand_an_object_meets_is_not_a_gap(app, make_user):
    agent = make_user("agent")
    with app.test_request_context():
        add_demand(agent)
        add_object(agent)
        assert run_report(agent).rows == []


def test_a_demand_naming_two_districts_counts_in_each_and_once_in_the_total(app, make_user):
    agent = make_user("agent")
    with app.test_request_context():
        add_demand(agent, districts="Медеуский\nБостандыкский", budget_max="45000000")
        result = run_report(agent)
        assert sorted(row.values["district"] for row in result.rows) == ["Бостандыкский", "Медеуский"]
        assert result.totals.values["demands"] == 1


def test_the_bands_are_the_deployment_s_when_the_bar_names_none(make_app, make_user):
    app = make_app(REAL_ESTATE_BUDGET_BANDS=[30_000_000], DEFAULT_LOCALE="en")
    agent = make_user("agent", app=app)
    with app.test_request_context():
        add_demand(agent, districts=None, budget_max="45000000")
        add_demand(agent, districts=None, budget_max="25000000")
        bands = sorted(row.values["band"] for row in run_report(agent).rows)
        assert bands == ["over 30\u00a0000\u00a0000\u00a0KZT", "up to 30\u00a0000\u00a0000\u00a0KZT"]


def test_an_agent_s_report_counts_only_their_own_buyers(app, make_user):
    mine, theirs = make_user("agent"), make_user("agent")
    with app.test_request_context():
        add_demand(mine)
        add_demand(theirs)
        add_demand(theirs)
        assert run_report(mine).totals.values["demands"] == 1


def test_a_figure_drills_down_to_its_demands(app, make_user, client_for):
    agent = make_user("agent")
    with app.test_request_context():
        kept = add_demand(agent, districts="Медеуский", budget_max="45000000")
        add_demand(agent, districts="Алмалинский", budget_max="45000000")
        row = next(r for r in run_report(agent).rows if r.values["district"] == "Медеуский")
        url = api.list_url(demand.KEY, **row.drill["demands"])
    page = client_for(agent).get(url).get_data(as_text=True)
    assert kept.summary in page and "Алмалинский" not in page


def test_the_report_page_answers(app, make_user, client_for):
    agent = make_user("agent")
    with app.test_request_context():
        add_demand(agent)
    response = client_for(agent).get(f"/reports/{KEY}/?period=all")
    assert response.status_code == 200 and "Медеуский" in response.get_data(as_text=True)
