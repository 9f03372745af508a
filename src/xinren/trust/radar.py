"""The store trust index as an inline SVG radar: the merchant's polygon over the dashed category median (50 on
every axis by construction, store_index.axis_value). No script, no fixed size: a viewBox only, so it scales to a
390 px phone. Every label is escaped; an axis with too little data is drawn at the centre and labelled so."""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .store_index import Axis

WIDTH, HEIGHT = 540, 310
CX, CY, RADIUS = 270, 155, 95
RINGS = (25, 50, 75, 100)


def _point(index: int, count: int, value: float, *, clamp: bool = True) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / count
    distance = RADIUS * (max(0.0, min(100.0, value)) if clamp else value) / 100
    return round(CX + distance * math.cos(angle), 1), round(CY + distance * math.sin(angle), 1)


def _polygon(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{x},{y}" for x, y in points)


def radar_svg(axes: Sequence[Axis]) -> SafeString:
    """The radar of these axes (at least three), as markup safe to put in a page."""
    count = len(axes)
    if count < 3:
        raise ValueError("a radar needs at least three axes")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" class="radar" role="img" '
        f'aria-labelledby="radar-title"><title id="radar-title">{escape(_("信任指数雷达图"))}</title>'
    ]
    for ring in RINGS:
        ring_points = _polygon([_point(i, count, ring) for i in range(count)])
        parts.append(f'<polygon points="{ring_points}" fill="none" stroke="#d9d9d9" stroke-width="1"/>')
    for i in range(count):
        x, y = _point(i, count, 100)
        parts.append(f'<line x1="{CX}" y1="{CY}" x2="{x}" y2="{y}" stroke="#d9d9d9" stroke-width="1"/>')
    median = _polygon([_point(i, count, 50) for i in range(count)])
    parts.append(
        f'<polygon class="radar-median" points="{median}" fill="none" stroke="#888" stroke-width="1.5" '
        f'stroke-dasharray="4 3"/>'
    )
    own = _polygon([_point(i, count, axis.value if axis.value is not None else 0) for i, axis in enumerate(axes)])
    parts.append(
        f'<polygon class="radar-merchant" points="{own}" fill="#c8102e" fill-opacity="0.18" stroke="#c8102e" '
        f'stroke-width="2"/>'
    )
    for i, axis in enumerate(axes):
        x, y = _point(i, count, 112, clamp=False)
        anchor = "middle" if abs(x - CX) < 5 else ("start" if x > CX else "end")
        # Two lines (name, value) centred on the point beside the axis; above the top axis, below the bottom one.
        first = "-1.2em" if anchor == "middle" and y < CY else ("0.6em" if anchor == "middle" else "-0.3em")
        shown = f"{axis.value:g}" if axis.value is not None else _("数据不足")
        parts.append(
            f'<text x="{x}" y="{y}" text-anchor="{anchor}" font-size="15" fill="#333">'
            f'<tspan x="{x}" dy="{first}">{escape(str(axis.label))}</tspan>'
            f'<tspan x="{x}" dy="1.2em" fill="#666">{escape(shown)}</tspan></text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped, every number formatted here
