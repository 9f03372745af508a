"""The fund's balance over time as an inline SVG drawn on the server: no JavaScript, a few hundred bytes, readable
without colour (a line, a filled area, the first/last/lowest values written out)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from xinren.core.money import fen_to_yuan

WIDTH, HEIGHT, PAD_X, PAD_TOP, PAD_BOTTOM = 640, 200, 8, 16, 28


def _y(value: int, low: int, high: int) -> float:
    span = (high - low) or 1
    return PAD_TOP + (HEIGHT - PAD_TOP - PAD_BOTTOM) * (high - value) / span


def balance_chart_svg(series: Sequence[tuple[dt.date, int]], *, title: str = "") -> SafeString:
    """An SVG line chart of (day, balance in fen), oldest first; an empty series draws an empty frame."""
    label = escape(title or _("先行赔付基金余额"))
    if not series:
        return format_html('<svg role="img" aria-label="{}" viewBox="0 0 {} {}" class="chart"></svg>',
                           label, WIDTH, HEIGHT)
    values = [value for _day, value in series]
    low, high = min(0, *values), max(values) or 1
    step = (WIDTH - 2 * PAD_X) / max(len(series) - 1, 1)
    points = [(PAD_X + n * step, _y(value, low, high)) for n, value in enumerate(values)]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    base = _y(low, low, high)
    area = f"{PAD_X:.1f},{base:.1f} {line} {points[-1][0]:.1f},{base:.1f}"
    first_day, last_day = series[0][0], series[-1][0]
    summary = _("%(first)s 至 %(last)s：期初 %(start)s 元，期末 %(end)s 元，最低 %(low)s 元") % {
        "first": first_day.isoformat(), "last": last_day.isoformat(), "start": fen_to_yuan(values[0]),
        "end": fen_to_yuan(values[-1]), "low": fen_to_yuan(min(values)),
    }
    parts = [
        f'<svg role="img" viewBox="0 0 {WIDTH} {HEIGHT}" class="chart" xmlns="http://www.w3.org/2000/svg" '
        f'aria-label="{label}">',
        f"<title>{label}</title><desc>{escape(summary)}</desc>",
        f'<line x1="{PAD_X}" y1="{base:.1f}" x2="{WIDTH - PAD_X}" y2="{base:.1f}" stroke="#999" stroke-width="1"/>',
        f'<polygon points="{area}" fill="#2e7d3233"/>',
        f'<polyline points="{line}" fill="none" stroke="#2e7d32" stroke-width="2"/>',
        f'<text x="{PAD_X}" y="{HEIGHT - 8}" font-size="12">{escape(first_day.isoformat())}</text>',
        f'<text x="{WIDTH - PAD_X}" y="{HEIGHT - 8}" font-size="12" text-anchor="end">'
        f"{escape(last_day.isoformat())}</text>",
        f'<text x="{WIDTH - PAD_X}" y="{PAD_TOP - 4}" font-size="12" text-anchor="end">'
        f"{escape(fen_to_yuan(values[-1]))}</text>",
        "</svg>",
    ]
    return mark_safe("".join(parts))  # every value above is a number or escaped
