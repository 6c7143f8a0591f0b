"""Charts of a tidy table, as inline SVG (no script, no network): the report's "Tables" view.

For every canonical indicator whose figures come from at least two regions or two periods, one
chart per measure (a level in its base unit, or a growth rate): lines by period (one line per
region) when the figures span two periods or more, else bars by region. Every mark is one row of
the tidy table and carries ``data-doc`` / ``data-rec`` (the article and the record it came from),
so the report opens the article at the figure when the mark is clicked; rows flagged ``conflict``
are drawn in red with a dashed outline. Input strings are escaped; numbers are formatted here.
"""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Chart", "charts", "render"]

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 70, 150, 24, 56
_COLOURS = ("#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#ad1457", "#5d4037", "#455a64")


@dataclass
class Chart:
    """One chart: an indicator and a measure, its kind, and the table rows it draws (one mark each)."""

    indicator: str
    measure: str  # "level" or "growth"
    unit: str
    kind: str  # "lines" (by period) or "bars" (by region)
    rows: list[dict[str, Any]] = field(default_factory=list)


def _value(row: Mapping[str, Any], measure: str) -> float | None:
    value = row.get("value_base") if measure == "level" else row.get("growth_pct")
    return float(value) if isinstance(value, int | float) else None


def _region(row: Mapping[str, Any]) -> str:
    return str(row.get("region") or "（地区不详）")


def _period_key(row: Mapping[str, Any]) -> tuple[str, str, str]:
    return (str(row.get("period_end") or ""), str(row.get("period_start") or ""), str(row.get("period") or ""))


def charts(table: Sequence[Mapping[str, Any]]) -> list[Chart]:
    """The charts of a tidy table (rows of :func:`llm_extract.run.tidy.tidy`), canonical indicators only."""
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in table:
        name = row.get("indicator_canonical")
        if not name:
            continue
        if row.get("value_base") is not None:
            groups[(str(name), "level", str(row.get("unit_base") or ""))].append(dict(row))
        if row.get("growth_pct") is not None:
            groups[(str(name), "growth", "%")].append(dict(row))
    out = []
    for (name, measure, unit), rows in sorted(groups.items()):
        regions = {_region(r) for r in rows}
        periods = {_period_key(r) for r in rows}
        if len(regions) < 2 and len(periods) < 2:
            continue
        kind = "lines" if len(periods) >= 2 else "bars"
        rows.sort(key=lambda r: (_period_key(r), _region(r)))
        out.append(Chart(name, measure, unit, kind, rows))
    return out


def _fmt(value: float) -> str:
    if value == 0:
        return "0"
    for scale, word in ((1e12, "万亿"), (1e8, "亿"), (1e4, "万")):
        if abs(value) >= scale:
            return f"{value / scale:.4g}{word}"
    return f"{value:.4g}"


def render(chart: Chart, locate: Callable[[Mapping[str, Any]], tuple[int, int] | None]) -> str:
    """The chart as an ``<svg>`` element; ``locate`` gives a row's (article, record) in the report."""
    values = [v for r in chart.rows if (v := _value(r, chart.measure)) is not None]
    low, high = min([0.0, *values]), max([0.0, *values])
    if high == low:
        high = low + 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(value: float) -> float:
        return TOP + plot_h * (1 - (value - low) / (high - low))

    categories = (
        sorted({_period_key(r) for r in chart.rows})
        if chart.kind == "lines"
        else sorted({_region(r) for r in chart.rows})
    )
    slot = plot_w / max(1, len(categories))

    def x(category: Any) -> float:
        return LEFT + slot * (categories.index(category) + 0.5)

    title = f"{chart.indicator} · {'增速' if chart.measure == 'growth' else '数值'}（{chart.unit or '—'}）"
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{html.escape(title, quote=True)}" '
        f'data-indicator="{html.escape(chart.indicator, quote=True)}" data-measure="{chart.measure}">',
        f'<text x="{LEFT}" y="16" class="ct">{html.escape(title)}</text>',
        f'<line x1="{LEFT}" y1="{y(0):.1f}" x2="{LEFT + plot_w}" y2="{y(0):.1f}" class="axis"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" class="axis"/>',
        f'<text x="{LEFT - 4}" y="{y(high):.1f}" class="tick" text-anchor="end">{html.escape(_fmt(high))}</text>',
        f'<text x="{LEFT - 4}" y="{y(low):.1f}" class="tick" text-anchor="end">{html.escape(_fmt(low))}</text>',
    ]
    every = max(1, -(-70 // max(1, int(slot))))  # a label every 70 px at most: they must not overlap
    for i, category in enumerate(categories):
        if i % every:
            continue
        label = category[2] or category[0] if chart.kind == "lines" else category
        parts.append(f'<text x="{x(category):.1f}" y="{HEIGHT - BOTTOM + 16}" class="tick" text-anchor="middle">'
                     f"{html.escape(str(label)[:12])}</text>")  # fmt: skip
    regions = sorted({_region(r) for r in chart.rows})
    colour = {region: _COLOURS[i % len(_COLOURS)] for i, region in enumerate(regions)}
    if chart.kind == "lines":
        for region in regions:
            mine = [r for r in chart.rows if _region(r) == region and not r.get("conflict")]
            points = [(x(_period_key(r)), y(v)) for r in mine if (v := _value(r, chart.measure)) is not None]
            if len(points) >= 2:
                path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
                parts.append(f'<polyline points="{path}" fill="none" stroke="{colour[region]}" stroke-width="1.5"/>')
        room = (HEIGHT - TOP - 8) // 14
        for i, region in enumerate(regions[:room]):
            more = i == room - 1 and len(regions) > room
            name = f"… {len(regions) - i} more" if more else region[:14]
            parts.append(f'<text x="{WIDTH - RIGHT + 8}" y="{TOP + 14 * i + 8}" class="tick" fill="{colour[region]}">'
                         f"{html.escape(name)}</text>")  # fmt: skip
    taken: dict[tuple[Any, ...], int] = defaultdict(int)  # marks already drawn in one place (conflicts)
    for row in chart.rows:
        value = _value(row, chart.measure)
        if value is None:
            continue
        category = _period_key(row) if chart.kind == "lines" else _region(row)
        nth = taken[(category, _region(row))]
        taken[(category, _region(row))] += 1
        where = locate(row)
        doc, rec = where if where is not None else ("", "")
        conflict = bool(row.get("conflict"))
        label = (f"{_region(row)} {row.get('period') or ''} {chart.indicator} "
                 f"{_fmt(value)}{'' if chart.measure == 'level' else '%'}{'（冲突）' if conflict else ''}")  # fmt: skip
        attrs = (f'class="mark{" conflict" if conflict else ""}" data-doc="{doc}" data-rec="{rec}" tabindex="0" '
                 f'data-value="{value!r}" data-region="{html.escape(_region(row), quote=True)}"')  # fmt: skip
        cx = x(category) + 6 * nth
        if chart.kind == "bars":
            width = max(4.0, min(40.0, slot * 0.6))
            top, bottom = sorted((y(value), y(0)))
            parts.append(f'<rect {attrs} x="{cx - width / 2:.1f}" y="{top:.1f}" width="{width:.1f}" '
                         f'height="{max(1.0, bottom - top):.1f}" fill="{colour[_region(row)]}">'
                         f"<title>{html.escape(label)}</title></rect>")  # fmt: skip
        else:
            parts.append(f'<circle {attrs} cx="{cx:.1f}" cy="{y(value):.1f}" r="4.5" fill="{colour[_region(row)]}">'
                         f"<title>{html.escape(label)}</title></circle>")  # fmt: skip
    parts.append("</svg>")
    return "".join(parts)
