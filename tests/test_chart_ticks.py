"""A chart of counts marks its value axis in whole numbers: three calls are 0, 1, 2, 3, never 0.5."""

from __future__ import annotations

import re

from crmkit.reports import Chart, Series
from crmkit.reports.charts import svg, whole_ticks


def axis_labels(drawn: str) -> list[str]:
    """The value axis's tick labels of a pygal SVG (its ``axis y`` group)."""
    axis = re.search(r'<g class="axis y[^"]*">(.*?)</g>\s*</g>\s*<g class="series', drawn, re.S)
    scope = axis.group(1) if axis else drawn
    return re.findall(r'<text[^>]*>([^<]+)</text>', scope)


def test_a_small_count_is_marked_one_by_one(app):
    with app.test_request_context(headers={"Accept-Language": "ru"}):
        drawn = svg(Chart("bar", ["Айгерим", "Олжас"], [Series("Звонки", [3, 1])]))
    labels = axis_labels(drawn)
    assert {"0", "1", "2", "3"} <= set(labels)
    assert not any("," in label or "." in label for label in labels), labels


def test_larger_counts_step_by_a_round_number_and_reach_the_largest():
    ticks = whole_ticks(Chart("hbar", list("abc"), [Series("Deals", [7, 43, 12])]))
    assert ticks == [0, 10, 20, 30, 40, 50]
    assert whole_ticks(Chart("bar", ["a"], [Series("Deals", [0])])) == [0, 1]


def test_a_chart_with_fractions_keeps_pygal_s_own_axis():
    assert whole_ticks(Chart("bar", list("ab"), [Series("Conversion", [12.5, 40.0])])) is None


def test_a_chart_s_address_names_the_language_so_a_cached_one_never_shows_another_s(app, admin_client):
    from datetime import datetime

    from tests.picking import post

    made = post(admin_client, "/activity/new", kind="call", subject="A call", happened_at=datetime.now().strftime("%Y-%m-%dT%H:%M"))
    assert made.status_code == 302
    sources = {}
    for language in ("ru", "kk"):
        page = admin_client.get("/reports/activity/", headers={"Accept-Language": language}).get_data(as_text=True)
        found = re.search(r'<img src="([^"]*chart\.svg[^"]*)"', page)
        assert found, f"no chart on the {language} page"
        sources[language] = found.group(1).replace("&amp;", "&")
    assert "lang=ru" in sources["ru"] and "lang=kk" in sources["kk"]
    drawn = admin_client.get(sources["kk"], headers={"Accept-Language": "kk"}).get_data(as_text=True)
    assert "Қоңыраулар" in drawn  # the kk chart's legend
