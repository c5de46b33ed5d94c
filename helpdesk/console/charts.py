"""Dashboard charts as SVG drawn on the server from a report ``Table``.

No chart library: the page's policy runs no inline code, the charts must read the same
with scripts off, and bars of a few tables are simple enough that a vendored library
(and its updates) would cost more than these lines. Colours come from attributes (the
policy forbids inline styles); every bar carries a ``<title>`` (its value on hover).
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from helpdesk.reporting.report import Table

PALETTE = ("#2f6fb3", "#e08a2c", "#3c9a5f", "#b84a62", "#7b61b8", "#8c8c3a", "#3a9aa6",
           "#a0603a", "#5a6b7d", "#c7a02e")  # fmt: skip
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 720, 220, 44, 40, 10


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def _label(value: Any) -> str:
    return "" if value is None else str(value)


def _legend(names: list[str], y: float) -> list[str]:
    parts, x = [], LEFT
    for n, name in enumerate(names):
        colour = PALETTE[n % len(PALETTE)]
        parts.append(f'<rect x="{x}" y="{y}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14}" y="{y + 9}" font-size="11">{escape(name)}</text>')
        x += 24 + 7 * len(name)
    return parts


def bars(table: Table) -> Markup:
    chart = table.chart
    assert chart is not None
    rows = table.rows[: chart.rows] if chart.rows else table.rows
    series = [table.columns[i] for i in chart.values]
    if not rows:
        return Markup('<p class="muted">No data for these filters.</p>')
    totals = [
        sum(_number(r[i]) for i in chart.values) if chart.stacked
        else max(_number(r[i]) for i in chart.values)
        for r in rows
    ]  # fmt: skip
    top = max(totals) or 1.0
    plot_w, plot_h = WIDTH - LEFT - 10, HEIGHT - BOTTOM - TOP - 18
    slot = plot_w / len(rows)
    width = max(1.0, slot * 0.8 / (1 if chart.stacked else len(series)))
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(table.title)}" data-chart="{escape(table.key)}">',
        f'<text x="4" y="{TOP + 8}" font-size="10">{_fmt(top)}</text>',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - 10}" y2="{TOP + plot_h}" '
        'stroke="#999"/>',
    ]
    every = max(1, len(rows) // 12)
    for n, row in enumerate(rows):
        x0 = LEFT + n * slot + slot * 0.1
        base = TOP + plot_h
        for s, column in enumerate(chart.values):
            value = _number(row[column])
            h = plot_h * value / top
            x = x0 if chart.stacked else x0 + s * width
            y = base - h
            parts.append(
                f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{h:.1f}" '
                f'fill="{PALETTE[s % len(PALETTE)]}" data-label="{escape(_label(row[0]))}" '
                f'data-series="{escape(series[s])}" data-value="{_fmt(value)}">'
                f"<title>{escape(_label(row[0]))} · {escape(series[s])}: {_fmt(value)}"
                f"{escape(chart.unit)}</title></rect>"
            )
            if chart.stacked:
                base = y
        if n % every == 0:
            parts.append(
                f'<text x="{x0:.1f}" y="{TOP + plot_h + 14}" font-size="10">'
                f"{escape(_label(row[0])[-5:] if table.columns[0] == 'day' else _label(row[0]))}"
                "</text>"
            )
    if len(series) > 1 or chart.stacked:
        parts += _legend(series, HEIGHT - 14)
    parts.append("</svg>")
    return Markup("".join(parts))


def hbars(table: Table) -> Markup:
    chart = table.chart
    assert chart is not None
    rows = table.rows[: chart.rows] if chart.rows else table.rows
    if not rows:
        return Markup('<p class="muted">No data for these filters.</p>')
    names = [
        " · ".join(_label(v) for v in r[: min(chart.values)] if not isinstance(v, int | float))
        or _label(r[0])
        for r in rows
    ]
    top = max(_number(r[i]) for r in rows for i in chart.values) or 1.0
    line = 16 * len(chart.values) + 6
    label_w = min(300, 12 + 7 * max(len(n) for n in names))
    height = TOP + line * len(rows) + (22 if len(chart.values) > 1 else 4)
    plot_w = WIDTH - label_w - 70
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(table.title)}" data-chart="{escape(table.key)}">'
    ]
    for n, (row, name) in enumerate(zip(rows, names, strict=True)):
        y0 = TOP + n * line
        parts.append(f'<text x="4" y="{y0 + 12}" font-size="11">{escape(name[:44])}</text>')
        for s, column in enumerate(chart.values):
            value = _number(row[column])
            w = plot_w * value / top
            y = y0 + s * 16
            series = table.columns[column]
            parts.append(
                f'<rect class="bar" x="{label_w}" y="{y}" width="{w:.1f}" height="13" '
                f'fill="{PALETTE[s % len(PALETTE)]}" data-label="{escape(name)}" '
                f'data-series="{escape(series)}" data-value="{_fmt(value)}">'
                f"<title>{escape(name)} · {escape(series)}: {_fmt(value)}{escape(chart.unit)}"
                "</title></rect>"
                f'<text x="{label_w + w + 4:.1f}" y="{y + 11}" font-size="11">'
                f"{_fmt(row[column])}{escape(chart.unit) if row[column] is not None else ''}"
                "</text>"
            )
    if len(chart.values) > 1:
        parts += _legend([table.columns[i] for i in chart.values], height - 14)
    parts.append("</svg>")
    return Markup("".join(parts))


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}" if abs(value) >= 1 else f"{value:.4g}"
    return f"{int(value)}" if isinstance(value, int | float) else str(value)


def render(table: Table) -> Markup:
    if table.chart is None:
        return Markup('<p class="muted">No data for these filters.</p>')
    return hbars(table) if table.chart.kind == "hbars" else bars(table)
