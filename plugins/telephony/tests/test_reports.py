"""The telephony reports count a known day of calls exactly: the heatmap's cells, the answer rate,
the time to callback, per employee and per tracking number, each as its reader may see them."""

import csv
import io

import pytest

from crmkit import api
from crmkit_telephony.models import Extension
from telephony_helpers import SECRET, event, post

LINE_A, LINE_B = "+77272000001", "+77272000002"
DANA, STRANGER = "+77011234567", "+77019998877"


@pytest.fixture
def world(app, make_user, frozen_clock):
    from crmkit.core.leads import setup

    app.config["TELEPHONY_WEBHOOK_SECRET"] = SECRET
    aigul = make_user("agent", name="Aigul", email="aigul@example.kz", timezone="UTC")
    bolat = make_user("agent", name="Bolat", email="bolat@example.kz", timezone="UTC")
    with app.test_request_context():
        setup.save(api.session(), None, "instagram", {"en": "Instagram", "ru": "Инстаграм", "kk": "Инстаграм"}, True,
                   {"number": LINE_A})
        api.session().add_all([Extension(provider="generic", extension="101", user_id=aigul.id),
                               Extension(provider="generic", extension="102", user_id=bolat.id)])
        api.session().commit()
    # Monday 2026-03-02, UTC
    day = [
        ("c1", "09:00:00", "09:02:00", LINE_A, DANA, "101", 120),  # Aigul answers, 2 min
        ("c2", "09:30:00", "09:30:30", LINE_A, STRANGER, "102", 0),  # Bolat misses
        ("c3", "10:00:00", "10:01:00", LINE_B, DANA, "101", 60),  # Aigul answers, 1 min
        ("c4", "10:15:00", "10:15:20", LINE_B, "+77015550000", "101", 0),  # Aigul misses, never called back
    ]
    for call_id, began, ended, line, caller, ext, talk in day:
        facts = {"caller": caller, "called": line, "extension": ext}
        events = [event("ringing", call_id, began, **facts)]
        events += [event("answered", call_id, began, **facts)] if talk else []
        events.append(event("ended", call_id, ended, duration=talk, **facts))
        assert post(app.test_client(), events).status_code == 202
    # Bolat calls the stranger back at 09:50: 19.5 minutes after c2 ended
    callback = {"caller": "102", "called": STRANGER, "extension": "102"}
    post(app.test_client(), [event("ringing", "c5", "09:50:00", "outbound", **callback),
                             event("answered", "c5", "09:50:05", "outbound", **callback),
                             event("ended", "c5", "09:51:05", "outbound", duration=60, **callback)])
    frozen_clock.move_to("2026-03-02T12:00:00+00:00")
    return {"aigul": aigul, "bolat": bolat, "admin": make_user("admin", name="Admin", timezone="UTC", locale="en")}


def table(client, key, **args):
    query = {"period": "custom", "start": "2026-03-02", "end": "2026-03-02", "format": "csv", **args}
    response = client.get(f"/reports/{key}/export", query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def report_key(_app, name):
    return f"telephony.{name}"


def test_the_heatmap_counts_each_call_in_its_weekday_and_hour(app, client_for, world):
    admin = client_for(world["admin"])
    rows = table(admin, report_key(app, "calls_heatmap"))
    by_hour = {row[0]: row[1:] for row in rows[1:]}
    assert by_hour["09:00"][0] == "3" and by_hour["10:00"][0] == "2"  # Monday: c1, c2, c5; c3, c4
    assert by_hour["09:00"][7] == "3" and by_hour["11:00"][7] == "0"
    missed = {row[0]: row[1] for row in table(admin, report_key(app, "calls_heatmap"), calls="missed")[1:]}
    assert (missed["09:00"], missed["10:00"]) == ("1", "1")
    inbound = {row[0]: row[8] for row in table(admin, report_key(app, "calls_heatmap"), direction="inbound")[1:]}
    assert inbound["09:00"] == "2"


def test_answer_rate_and_callbacks_per_employee(app, client_for, world):
    rows = table(client_for(world["admin"]), report_key(app, "calls_answered"))
    by_name = {row[0]: row[1:] for row in rows[1:]}
    # inbound, answered, missed, rate, talk min, outbound, called back, wait min, waiting, overdue
    assert by_name["Aigul"][:7] == ["3", "2", "1", "66.7", "1.5", "0", "0"]
    assert by_name["Aigul"][8:] == ["1", "1"]  # c4 waits, its 30 working minutes are over at noon
    assert by_name["Bolat"][:8] == ["1", "0", "1", "0.0", "", "1", "1", "19.5"]
    assert by_name["Bolat"][8:] == ["0", "0"]


def test_answer_rate_per_tracking_number_names_its_source(app, client_for, world):
    rows = table(client_for(world["admin"]), report_key(app, "calls_answered"), by="number")
    by_number = {row[0].lstrip("'"): row[1:4] for row in rows[1:]}  # the export neutralises a leading +
    assert by_number[f"{LINE_A} (Instagram)"] == ["2", "1", "1"]
    assert by_number[LINE_B] == ["2", "1", "1"]


def test_an_agent_counts_only_their_own_calls(app, client_for, world):
    rows = table(client_for(world["bolat"]), report_key(app, "calls_answered"))
    assert [row[0] for row in rows[1:-1]] == ["Bolat"]


def test_the_reports_page_draws_the_heatmap(app, client_for, world):
    page = client_for(world["admin"]).get(f"/reports/{report_key(app, 'calls_heatmap')}/?period=custom&start=2026-03-02&end=2026-03-02")
    assert page.status_code == 200 and "<svg" in page.get_data(as_text=True)


def test_the_heatmap_reads_the_hours_on_the_users_clock(app, client_for, make_user, world):
    almaty = make_user("admin", name="Almaty admin", timezone="Asia/Almaty", locale="en")
    rows = table(client_for(almaty), report_key(app, "calls_heatmap"))
    by_hour = {row[0]: row[1] for row in rows[1:]}
    assert (by_hour["14:00"], by_hour["15:00"], by_hour["09:00"]) == ("3", "2", "0")  # UTC+5


def test_the_reports_speak_russian_and_kazakh(app, client_for, make_user, world):
    url = "/reports/telephony.calls_answered/?period=custom&start=2026-03-02&end=2026-03-02"
    assert "Доля отвеченных" in client_for(make_user("admin", locale="ru")).get(url).get_data(as_text=True)
    assert "Жауап берілгендер үлесі" in client_for(make_user("admin", locale="kk")).get(url).get_data(as_text=True)


def test_the_hand_written_sql_of_the_benchmarks_gives_the_reports_figures(app, world):
    from sqlalchemy import text

    from crmkit.reports.context import Context
    from crmkit_telephony import reports

    args = {"period": "custom", "start": "2026-03-02", "end": "2026-03-02"}
    with app.test_request_context():
        registry = {r.key: r for r in app.extensions["crmkit.reports"]}
        admin = api.find_user(id=world["admin"].id)
        summary = Context.build(registry["telephony.calls_answered"], admin, args, api.session())
        (sql, params), _users = reports.summary_sql(summary)
        raw = {row[0]: list(row[1:]) for row in api.session().execute(text(sql), params)}
        figures = {key: list(values.values()) for key, values in reports.summary_figures(summary).items()}
        assert raw.keys() == figures.keys() and len(raw) == 2
        for key, values in raw.items():
            assert [round(float(v), 3) if v is not None else None for v in values] == [
                round(float(v), 3) if v is not None else None for v in figures[key]]
        heat = Context.build(registry["telephony.calls_heatmap"], admin, args, api.session())
        [(sql, params)] = reports.heatmap_sql(heat)
        hours = dict(api.session().execute(text(sql), params).all())
        assert sum(hours.values()) == sum(map(sum, reports.heatmap_grid(heat))) == 5


def test_each_answer_rate_figure_links_to_exactly_its_calls_activities(app, client_for, api_client, world):
    import re

    url = "/reports/telephony.calls_answered/?period=custom&start=2026-03-02&end=2026-03-02"
    page = client_for(world["admin"]).get(url).get_data(as_text=True)
    linked = re.findall(r'<a href="/activity/\?([^"]+)">(\d+)</a>', page)
    assert len(linked) >= 6  # Aigul: inbound, answered, missed, waiting, overdue; Bolat: ...
    reader = api_client(world["admin"])
    for query, figure in linked:
        response = reader.get(f"/api/v1/activity?{query.replace('&amp;', '&')}")
        assert response.status_code == 200 and response.get_json()["total"] == int(figure), query


@pytest.mark.parametrize("args", ["", "&calls=missed", "&direction=outbound"])
def test_each_heatmap_figure_links_to_exactly_its_calls_activities(app, client_for, api_client, world, args):
    import re

    url = f"/reports/telephony.calls_heatmap/?period=custom&start=2026-03-02&end=2026-03-02{args}"
    page = client_for(world["admin"]).get(url).get_data(as_text=True)
    linked = re.findall(r'<a href="/activity/\?([^"]+)">(\d+)</a>', page)
    assert linked
    reader = api_client(world["admin"])
    for query, figure in linked:
        response = reader.get(f"/api/v1/activity?{query.replace('&amp;', '&')}")
        assert response.status_code == 200 and response.get_json()["total"] == int(figure), query
