"""Charts are SVG made on the server: pygal's without its scripts, the heatmap our own, both with
the labels they are given, readable without JavaScript."""

from __future__ import annotations

import re

from sqlalchemy import select

from crmkit.reports import Chart, Series
from crmkit.reports.charts import heatmap_cells, svg


def test_a_bar_chart_is_an_svg_document_without_scripts_and_with_its_labels(app):
    with app.test_request_context(headers={"Accept-Language": "ru"}):
        drawn = svg(Chart("bar", ["Январь 2026", "Февраль 2026"], [Series("Новые клиенты", [3, 1500])]))
    assert drawn.lstrip().startswith("<?xml") and "<svg" in drawn
    assert "<script" not in drawn and "kozea.github.io" not in drawn  # no CDN, nothing to run
    assert "Январь 2026" in drawn and "1 500" in drawn.replace("\xa0", " ")  # a value grouped as Russian writes it


def test_an_empty_chart_says_so_in_the_user_s_language(app):
    with app.test_request_context(headers={"Accept-Language": "kk"}):
        drawn = svg(Chart("line", [], [Series("x", [])]))
    assert "Деректер жоқ" in drawn


def test_a_pie_and_a_funnel_draw_one_slice_per_label(app):
    with app.test_request_context():
        for kind in ("pie", "funnel"):
            drawn = svg(Chart(kind, ["A", "B", "C"], [Series("Revenue", [80, 15, 5])]))
            assert all(f">{label}<" in drawn for label in "ABC"), kind


def test_a_heatmap_shades_each_cell_by_its_share_of_the_largest_and_titles_it(app):
    chart = Chart("heatmap", ["09", "10", "11"], [Series("Mon", [0, 2, 8]), Series("Tue", [4, 0, 1])])
    cells = heatmap_cells(chart)
    assert [[c["shade"] for c in row] for row in cells] == [[0, 1, 4], [2, 0, 1]]
    with app.test_request_context():
        drawn = svg(chart)
    assert drawn.startswith("<?xml") and drawn.count("<rect") == 6
    assert "<title>Mon, 11: 8</title>" in drawn and "style=" not in drawn  # fills are attributes the CSP allows
    assert re.search(r'<text[^>]*>Tue</text>', drawn)


def test_the_chart_draws_the_measure_the_user_picks(app):
    from crmkit.reports import Dimension, Measure, Report, engine
    from crmkit.reports.context import Context
    from tests.people import person

    report = Report("calls", "Calls", entity="activity", period_field="happened_at", plugin="core.test",
                    dimensions=(Dimension("kind", "Kind", column="kind"),),
                    measures=(Measure("all", "All"), Measure("calls", "Calls", where={"kind": "call"})))
    person(app, "admin@example.com", role="admin")
    with app.test_request_context():
        from crmkit import db
        from crmkit.core.auth.models import User

        admin = db.session().execute(select(User)).scalar_one()
        picked = engine.run(report, Context.build(report, admin, {"measure": "calls"}))
        default = engine.run(report, Context.build(report, admin, {}))
    assert picked.chart.series[0].label == "Calls" and default.chart.series[0].label == "All"


def test_a_funnel_reads_top_down_from_its_first_stage(app):
    with app.test_request_context():
        drawn = svg(Chart("funnel", ["First", "Second", "Third"], [Series("Deals", [80, 15, 5])]))
    heights = {m[2]: float(m[1]) for m in re.finditer(r'<text[^>]*y="([\d.]+)"[^>]*>(First|Second|Third)</text>', drawn)}
    assert heights["First"] < heights["Second"] < heights["Third"]
