"""Complaint trends as inline SVG drawn on the server (the house style of web/operator/charts.py): weekly columns
stacked by complaint type, a legend that wraps, and a <desc> that says the figures in words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .choices import TYPE_LABELS

# Twelve colours, one per complaint type, in the classifier's order.
PALETTE = (
    "#c62828",
    "#6d4c41",
    "#f9a825",
    "#1565c0",
    "#6a1b9a",
    "#00838f",
    "#ef6c00",
    "#ad1457",
    "#2e7d32",
    "#d84315",
    "#546e7a",
    "#9e9e9e",
)
COLOURS = dict(zip(TYPE_LABELS, PALETTE, strict=True))


def weekly_types_svg(weeks: Sequence[dt.date], series: Mapping[str, Sequence[int]], *, title: str) -> SafeString:
    """One column per week, stacked by complaint type (`series`: type id → count per week)."""
    width, pad_l, pad_b, row = 480, 32, 24, 18
    labels = [(kind, str(TYPE_LABELS.get(kind, kind))) for kind in series]
    legend: list[str] = []
    x, y = 8, 6
    for kind, label in labels:
        step = 24 + 13 * len(label)
        if x + step > width:
            x, y = 8, y + row
        legend.append(
            f'<rect x="{x}" y="{y}" width="12" height="12" fill="{COLOURS.get(kind, PALETTE[-1])}"/>'
            f'<text x="{x + 16}" y="{y + 10}" font-size="13">{escape(label)}</text>'
        )
        x += step
    legend_h = y + row if labels else 0
    plot_h = 140
    height = legend_h + plot_h + pad_b + 8
    totals = [sum(values[n] for values in series.values()) for n in range(len(weeks))]
    top = max(totals, default=0) or 1
    floor = legend_h + plot_h
    body = [
        *legend,
        f'<line x1="{pad_l}" y1="{floor}" x2="{width - 8}" y2="{floor}" stroke="#999" stroke-width="1"/>',
        f'<text x="{pad_l - 4}" y="{legend_h + 12}" font-size="13" text-anchor="end">{top}</text>',
        f'<text x="{pad_l - 4}" y="{floor}" font-size="13" text-anchor="end">0</text>',
    ]
    step_w = (width - pad_l - 8) / max(len(weeks), 1)
    for n in range(len(weeks)):
        base: float = floor
        for kind, values in series.items():
            h = plot_h * values[n] / top
            if h <= 0:
                continue
            base -= h
            body.append(
                f'<rect x="{pad_l + n * step_w + 2:.1f}" y="{base:.1f}" width="{max(step_w - 4, 1):.1f}" '
                f'height="{h:.1f}" fill="{COLOURS.get(kind, PALETTE[-1])}"/>'
            )
    if weeks:
        body.append(f'<text x="{pad_l}" y="{height - 6}" font-size="13">{escape(weeks[0].isoformat())}</text>')
        body.append(
            f'<text x="{width - 8}" y="{height - 6}" font-size="13" text-anchor="end">'
            f"{escape(weeks[-1].isoformat())}</text>"
        )
    if sum(totals):
        parts = [f"{label} {sum(series[kind])}" for kind, label in labels]
        desc = _("自 %(first)s 起每周投诉，按类型：%(parts)s") % {
            "first": weeks[0].isoformat(),
            "parts": "；".join(parts),
        }
    else:
        desc = _("暂无数据")
    head = (
        f'<svg role="img" viewBox="0 0 {width} {height}" class="chart" xmlns="http://www.w3.org/2000/svg" '
        f'aria-label="{escape(title)}" preserveAspectRatio="xMinYMin meet">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>"
    )
    return mark_safe(head + "".join(body) + "</svg>")  # every value is a number or escaped
