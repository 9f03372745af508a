"""Programme members against the other merchants, category by category, as an inline SVG drawn on the server: no
JavaScript, readable without colour (every bar has its figure written above it) and narrow enough to read at 390 px.
A figure over too few answers is drawn pale and dashed and says so."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .nps import SMALL_SAMPLE, NpsFigure
from .nps_selectors import CategoryComparison

WIDTH, PAD = 360, 4
LABEL_H, ROW_H, TEXT_H, BAR_H, GAP = 22, 30, 14, 9, 10
ZERO = WIDTH / 2
SPAN = WIDTH / 2 - PAD  # pixels for 100 points
MEMBER_COLOUR, OTHER_COLOUR = "#c0392b", "#607d8b"


def _signed(score: int) -> str:
    return f"+{score}" if score > 0 else str(score)


def _row(*, top: float, name: str, figure: NpsFigure, colour: str) -> str:
    if figure.score is None:
        text = _("%(who)s：暂无回答") % {"who": name}
        return f'<text x="{PAD}" y="{top + TEXT_H - 3}" font-size="12" fill="#555">{escape(text)}</text>'
    text = _("%(who)s：NPS %(score)s（%(n)s 份）") % {"who": name, "score": _signed(figure.score), "n": figure.n}
    if figure.small:
        text += " · " + _("样本少于 %(n)s") % {"n": SMALL_SAMPLE}
    width = abs(figure.score) * SPAN / 100
    x = ZERO if figure.score >= 0 else ZERO - width
    style = ' fill-opacity="0.35" stroke-dasharray="3 2"' if figure.small else ""
    return (f'<text x="{PAD}" y="{top + TEXT_H - 3}" font-size="12">{escape(text)}</text>'
            f'<rect x="{x:.1f}" y="{top + TEXT_H + 2}" width="{max(width, 1):.1f}" height="{BAR_H}" fill="{colour}" '
            f'stroke="{colour}"{style}/>')


def comparison_chart_svg(rows: Sequence[CategoryComparison], *, members_label: str = "",
                         others_label: str = "") -> SafeString:
    """One block per category: its programme members' NPS and the other merchants', on a −100…100 axis."""
    title = _("各品类 NPS：保障计划成员与其他商家")
    members_label = members_label or _("计划成员")
    others_label = others_label or _("其他商家")
    block = LABEL_H + 2 * ROW_H + GAP
    height = max(len(rows) * block, 24) + 18
    if not rows:
        return format_html('<svg role="img" aria-label="{}" viewBox="0 0 {} {}" class="chart"></svg>', title,
                           WIDTH, height)
    parts = [
        f'<svg role="img" viewBox="0 0 {WIDTH} {height}" class="chart nps-chart" style="max-width:560px" '
        f'xmlns="http://www.w3.org/2000/svg" aria-label="{escape(title)}"><title>{escape(title)}</title>',
    ]
    axis = len(rows) * block
    # the zero line first, so that the figures written across it stay on top
    parts.append(f'<line x1="{ZERO}" y1="0" x2="{ZERO}" y2="{axis}" stroke="#ccc" stroke-width="1"/>')
    for index, row in enumerate(rows):
        top = index * block
        parts.append(f'<text x="{PAD}" y="{top + LABEL_H - 6}" font-size="14" font-weight="bold">'
                     f"{escape(row.label)}</text>")
        parts.append(_row(top=top + LABEL_H, name=members_label, figure=row.members, colour=MEMBER_COLOUR))
        parts.append(_row(top=top + LABEL_H + ROW_H, name=others_label, figure=row.others, colour=OTHER_COLOUR))
    parts += [
        f'<text x="{PAD}" y="{axis + 14}" font-size="11" fill="#555">−100</text>',
        f'<text x="{ZERO}" y="{axis + 14}" font-size="11" fill="#555" text-anchor="middle">0</text>',
        f'<text x="{WIDTH - PAD}" y="{axis + 14}" font-size="11" fill="#555" text-anchor="end">+100</text>',
        "</svg>",
    ]
    return mark_safe("".join(parts))  # every value above is a number or escaped
