"""Charts drawn on the server as SVG: pygal for bars, lines, pies and funnels; a heatmap of our own.

A funnel is drawn as horizontal bars, first stage on top: pygal's own Funnel joins each stage to
the next as a trapezoid around a signed axis, which reads wrongly when a later stage is larger.

The SVG is served as a same-origin image (``/reports/<key>/chart.svg``), so the page needs no
script and its strict Content-Security-Policy stays as it is; pygal's own script tags (its
tooltips and a CDN-hosted pygal.js) are left out. Labels arrive translated; numbers are written
in the user's locale.
"""

from __future__ import annotations

import math
import re
from typing import Any

import pygal
from flask import render_template
from flask_babel import format_decimal
from pygal.style import Style

from crmkit.i18n import gettext as _
from crmkit.reports.declaration import Chart

WIDTH, HEIGHT = 900, 380
SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1f2937",
    foreground_strong="#111827",
    foreground_subtle="#6b7280",
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif",
    colors=("#2563eb", "#16a34a", "#d97706", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#65a30d", "#9333ea", "#475569"),
    title_font_size=16,
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=13,
    value_font_size=12,
    tooltip_font_size=13,
)
KINDS = {"bar": pygal.Bar, "hbar": pygal.HorizontalBar, "line": pygal.Line, "pie": pygal.Pie, "funnel": pygal.HorizontalBar}


def formatted(value: Any) -> str:
    if value is None:
        return ""
    return format_decimal(value, format="#,##0.##")


def svg(chart: Chart) -> str:
    """The chart as an SVG document."""
    if chart.kind == "heatmap":
        return heatmap_svg(chart)
    kind = KINDS[chart.kind]
    height = HEIGHT if chart.kind not in ("hbar", "funnel") else max(HEIGHT, 60 + 26 * len(chart.x_labels))
    drawing = kind(
        style=STYLE,
        width=WIDTH,
        height=height,
        js=[],
        show_legend=len(chart.series) > 1 or chart.kind == "pie",
        legend_at_bottom=True,
        no_data_text=_("No data"),
        value_formatter=formatted,
        truncate_label=40,
        truncate_legend=40,
        x_label_rotation=30 if chart.kind in ("bar", "line") and len(chart.x_labels) > 8 else 0,
        print_values=chart.kind in ("bar", "hbar", "funnel") and len(chart.x_labels) <= 12,
        show_minor_x_labels=len(chart.x_labels) <= 31,
        margin=16,
    )
    if chart.kind != "pie" and (ticks := whole_ticks(chart)) is not None:
        drawing.y_labels = ticks
    if chart.title:
        drawing.title = str(chart.title)
    if chart.kind == "pie":
        values = chart.series[0].values if chart.series else []
        for label, value in zip(chart.x_labels, values, strict=True):
            drawing.add(str(label), [value or 0])
    elif chart.kind == "funnel":  # pygal draws the first bar at the bottom: reversed, it reads top down
        drawing.x_labels = [str(label) for label in reversed(chart.x_labels)]
        for series in chart.series:
            drawing.add(str(series.label), list(reversed(series.values)))
    else:
        drawing.x_labels = [str(label) for label in chart.x_labels]
        for series in chart.series:
            drawing.add(str(series.label), list(series.values))
    return SCRIPT.sub("", drawing.render(is_unicode=True))


def whole_ticks(chart: Chart, most: int = 8) -> list[int] | None:
    """The value axis's ticks when every value is a whole number (counts): 0 up to the largest in
    steps of 1, 2 or 5 times a power of ten, at most ``most`` of them; None for any other chart,
    which keeps pygal's own. pygal alone would mark 0.5, 1.5 ... on an axis of 3 calls."""
    values = [v for s in chart.series for v in s.values if v is not None]
    if any(v < 0 or not float(v).is_integer() for v in values):
        return None
    top = int(max(values, default=0)) or 1
    raw = max(1.0, top / most)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return list(range(0, math.ceil(top / step) * step + 1, step))


def heatmap_svg(chart: Chart) -> str:
    """A heatmap: one row per series, one cell per x label, darker for more (see heatmap.svg)."""
    return render_template("reports/heatmap.svg", chart=chart, cells=heatmap_cells(chart), formatted=formatted)


def heatmap_cells(chart: Chart) -> list[list[dict[str, Any]]]:
    """Each cell's value, its shade (0..4) and its text; the largest value is the darkest."""
    top = max((v or 0 for s in chart.series for v in s.values), default=0)
    rows = []
    for series in chart.series:
        row = []
        for value in series.values:
            shade = 0 if not value or not top else 1 + min(3, int(4 * value / top - 1e-9))
            row.append({"value": value or 0, "shade": shade, "text": formatted(value or 0)})
        rows.append(row)
    return rows
