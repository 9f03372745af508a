"""Charts for the operator's dashboard as inline SVG drawn on the server: no JavaScript, readable without colour.

Every chart carries a <title> and a <desc> that says in words what it shows, so a screen reader (and a test)
reads the figures. Values are numbers or escaped text; the SVG is built as a string and marked safe here only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# One colour per series, distinguishable in greyscale too (light to dark).
PALETTE = ("#2e7d32", "#f9a825", "#c62828", "#1565c0", "#6a1b9a", "#5d4037")


def _svg(width: int, height: int, title: str, desc: str, body: list[str]) -> SafeString:
    head = (
        f'<svg role="img" viewBox="0 0 {width} {height}" class="chart" xmlns="http://www.w3.org/2000/svg" '
        f'aria-label="{escape(title)}" preserveAspectRatio="xMinYMin meet">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>"
    )
    return mark_safe(head + "".join(body) + "</svg>")  # every value is a number or escaped


def bar_chart_svg(bars: Sequence[tuple[str, int]], *, title: str, unit: str = "") -> SafeString:
    """Horizontal bars, one per (label, value), labels on the left and the value written at the bar's end."""
    width, row, label_w = 480, 28, 104
    height = max(row * len(bars) + 8, 34)
    top = max((value for _label, value in bars), default=0) or 1
    body: list[str] = []
    if not bars:
        body.append(f'<text x="8" y="22" font-size="13" fill="#666">{escape(_("暂无数据"))}</text>')
    for n, (label, value) in enumerate(bars):
        y = 4 + n * row
        w = (width - label_w - 56) * value / top
        body.append(f'<text x="{label_w - 6}" y="{y + 17}" font-size="13" text-anchor="end">{escape(label)}</text>')
        body.append(f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row - 10}" fill="{PALETTE[0]}"/>')
        body.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 17}" font-size="13">{value}{escape(unit)}</text>')
    desc = "；".join(f"{label} {value}{unit}" for label, value in bars) or _("暂无数据")
    return _svg(width, height, title, desc, body)


def stacked_days_svg(days: Sequence[dt.date], series: Mapping[str, Sequence[int]], *, title: str) -> SafeString:
    """Columns per day, each stacked by series (e.g. interceptions by stage), with a legend and the busiest day."""
    width, height, pad_l, pad_b, legend_h = 480, 220, 32, 24, 22
    totals = [sum(values[n] for values in series.values()) for n in range(len(days))]
    top = max(totals, default=0) or 1
    plot_h = height - pad_b - legend_h - 8
    step = (width - pad_l - 8) / max(len(days), 1)
    body = [
        f'<line x1="{pad_l}" y1="{legend_h + 8 + plot_h}" x2="{width - 8}" y2="{legend_h + 8 + plot_h}" '
        'stroke="#999" stroke-width="1"/>',
        f'<text x="{pad_l - 4}" y="{legend_h + 18}" font-size="13" text-anchor="end">{top}</text>',
        f'<text x="{pad_l - 4}" y="{legend_h + 8 + plot_h}" font-size="13" text-anchor="end">0</text>',
    ]
    x = 8
    for colour, name in zip(PALETTE, series, strict=False):
        body.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{colour}"/>')
        body.append(f'<text x="{x + 16}" y="16" font-size="13">{escape(name)}</text>')
        x += 24 + 13 * len(name)
    for n, _day in enumerate(days):
        base: float = legend_h + 8 + plot_h
        for colour, values in zip(PALETTE, series.values(), strict=False):
            h = plot_h * values[n] / top
            if h <= 0:
                continue
            base -= h
            body.append(
                f'<rect x="{pad_l + n * step + 1:.1f}" y="{base:.1f}" width="{max(step - 2, 1):.1f}" '
                f'height="{h:.1f}" fill="{colour}"/>'
            )
    if days:
        body.append(f'<text x="{pad_l}" y="{height - 6}" font-size="13">{escape(days[0].isoformat())}</text>')
        body.append(
            f'<text x="{width - 8}" y="{height - 6}" font-size="13" text-anchor="end">'
            f"{escape(days[-1].isoformat())}</text>"
        )
    total = sum(totals)
    if total:
        busiest = max(range(len(days)), key=lambda n: totals[n])
        desc = _("%(first)s 至 %(last)s 共 %(total)s 次，最多一天 %(day)s：%(most)s 次") % {
            "first": days[0].isoformat(),
            "last": days[-1].isoformat(),
            "total": total,
            "day": days[busiest].isoformat(),
            "most": totals[busiest],
        }
    else:
        desc = _("暂无数据")
    return _svg(width, height, title, desc, body)


def histogram_svg(
    counts: Sequence[int], *, edges: Sequence[int], thresholds: Mapping[str, int], title: str
) -> SafeString:
    """Counts per bin (bin n spans edges[n]..edges[n+1]) with labelled vertical lines at the thresholds."""
    width, height, pad_l, pad_b, pad_t = 480, 200, 32, 24, 22
    low, high = edges[0], edges[-1]
    top = max(counts, default=0) or 1
    plot_w, plot_h = width - pad_l - 8, height - pad_b - pad_t

    def x_of(value: float) -> float:
        return pad_l + plot_w * (value - low) / ((high - low) or 1)

    body = [
        f'<line x1="{pad_l}" y1="{pad_t + plot_h}" x2="{width - 8}" y2="{pad_t + plot_h}" stroke="#999"/>',
        f'<text x="{pad_l - 4}" y="{pad_t + 10}" font-size="13" text-anchor="end">{top}</text>',
    ]
    for n, count in enumerate(counts):
        if not count:
            continue
        x0, x1 = x_of(edges[n]), x_of(edges[n + 1])
        h = plot_h * count / top
        body.append(
            f'<rect x="{x0 + 1:.1f}" y="{pad_t + plot_h - h:.1f}" width="{max(x1 - x0 - 2, 1):.1f}" '
            f'height="{h:.1f}" fill="{PALETTE[3]}"/>'
        )
    for colour, (name, value) in zip(PALETTE[1:], thresholds.items(), strict=False):
        x = x_of(value)
        body.append(
            f'<line x1="{x:.1f}" y1="{pad_t - 4}" x2="{x:.1f}" y2="{pad_t + plot_h}" stroke="{colour}" '
            'stroke-width="2" stroke-dasharray="4 3"/>'
        )
        body.append(f'<text x="{x + 3:.1f}" y="{pad_t - 8}" font-size="13">{escape(name)} {value}</text>')
    for value, anchor in ((low, "start"), ((low + high) // 2, "middle"), (high, "end")):
        body.append(
            f'<text x="{x_of(value):.1f}" y="{height - 6}" font-size="13" text-anchor="{anchor}">{value}</text>'
        )
    bins = "；".join(f"{edges[n]}–{edges[n + 1]}: {count}" for n, count in enumerate(counts) if count)
    marks = "，".join(f"{name} {value}" for name, value in thresholds.items())
    desc = f"{bins or _('暂无数据')}（{marks}）" if marks else (bins or _("暂无数据"))
    return _svg(width, height, title, desc, body)
