"""Embeddable SVG badges: the trust score, 信任购 membership and a regional programme's artwork (docs/badges.md).

Each badge is drawn here from data, every text escaped, and wraps its drawing in an `<a>` to the evidence page
(an `<object>` embed follows it; an `<img>` embed is wrapped in the snippet's own `<a>`). A programme's artwork is
the sanitised drawing the alliance uploaded (svg.py), served only while its SHA-256 is the one the alliance signed.
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal

from django.utils.html import escape
from django.utils.translation import gettext as _

from .scores.formula import half_stars

FONT = "PingFang SC, Microsoft YaHei, Noto Sans CJK SC, sans-serif"
GREEN, GREY, RED, GOLD = "#1f6f43", "#57606a", "#b42318", "#e3a008"
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_STAR = "M7 0l2.1 4.6 4.9.5-3.7 3.3 1.1 4.9L7 10.8 2.6 13.3l1.1-4.9L0 5.1l4.9-.5z"


def _frame(*, width: int, height: int, label: str, href: str, body: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(label)}"><title>{escape(label)}</title>'
        f'<a href="{escape(href)}" target="_top">{body}</a></svg>'
    )


def _stars(half: float | None, x: int, y: int) -> str:
    clip = '<clipPath id="half"><rect width="7" height="14"/></clipPath>'
    parts = [f'<defs><path id="star" d="{_STAR}"/>{clip}</defs>']
    for n in range(1, 6):
        at = f'transform="translate({x + (n - 1) * 16} {y})"'
        parts.append(f'<use href="#star" {at} fill="#d0d7de"/>')
        if half is not None and n <= half:
            parts.append(f'<use href="#star" {at} fill="{GOLD}"/>')
        elif half is not None and n - 0.5 == half:
            parts.append(f'<g {at}><use href="#star" fill="{GOLD}" clip-path="url(#half)"/></g>')
    return "".join(parts)


def _estimated_width(words: str, size: int) -> float:
    """Roughly how wide `words` draws: a CJK character is about one em, a Latin letter or digit about 0.6 em."""
    return sum(size if ord(ch) > 0x2E7F else 0.6 * size for ch in words)


def _text(
    x: int, y: int, words: str, *, fill: str, size: int, anchor: str = "start", bold: bool = False, fit: int = 0
) -> str:
    """A text element; with `fit`, squeezed into that many pixels when it would draw wider (e.g. "Trust score")."""
    weight = ' font-weight="bold"' if bold else ""
    squeeze = ""
    if fit and _estimated_width(words, size) > fit:
        squeeze = f' textLength="{fit}" lengthAdjust="spacingAndGlyphs"'
    return (
        f'<text x="{x}" y="{y}" fill="{fill}" text-anchor="{anchor}" font-family="{FONT}" font-size="{size}"'
        f"{weight}{squeeze}>{escape(words)}</text>"
    )


def _card(left: str, *, left_width: int, colour: str) -> str:
    return (
        '<rect width="240" height="44" rx="6" fill="#fff" stroke="#d0d7de"/>'
        f'<rect width="{left_width}" height="44" rx="6" fill="{colour}"/>'
        + _text(left_width // 2, 27, left, fill="#fff", size=14, anchor="middle", bold=True, fit=left_width - 8)
    )


def score_badge(*, score: Decimal | None, version: str, state: str, href: str) -> str:
    """The score as half-stars, its number and formula version; or 评分数据不足; or the listing's state.

    `state` is "listed", "suspended" or "delisted".
    """
    title = _("信任分")
    head = _card(title, left_width=64, colour=GREEN)
    if state in ("suspended", "delisted"):
        words = _("暂停销售") if state == "suspended" else _("已下架")
        body = _text(152, 27, words, fill=RED, size=14, anchor="middle")
        return _frame(width=240, height=44, label=f"{title}：{words}", href=href, body=head + body)
    version_text = _("公式 %(version)s") % {"version": version}
    if score is None:
        words = _("评分数据不足")
        body = _text(152, 23, words, fill=GREY, size=14, anchor="middle") + _text(
            152, 37, version_text, fill=GREY, size=9, anchor="middle"
        )
        return _frame(width=240, height=44, label=f"{title}：{words}", href=href, body=head + body)
    number = f"{score:.2f}"
    body = (
        _stars(half_stars(score), 72, 8)
        + _text(232, 22, number, fill="#1f2328", size=16, anchor="end", bold=True)
        + _text(72, 37, version_text, fill=GREY, size=9)
    )
    label = _("信任分 %(score)s（公式 %(version)s）") % {"score": number, "version": version}
    return _frame(width=240, height=44, label=label, href=href, body=head + body)


def xinrengou_badge(*, merchant: str, label: str, colour: str, href: str) -> str:
    """A 信任购 member's badge: the programme's label in its colour, the merchant's name."""
    fill = colour if _COLOUR.match(colour or "") else RED
    shown = merchant if len(merchant) <= 14 else merchant[:13] + "…"
    body = (
        _card(label, left_width=72, colour=fill)
        + _text(80, 20, shown, fill="#1f2328", size=12)
        + _text(80, 36, _("平台保障计划成员"), fill=GREY, size=9)
    )
    return _frame(width=240, height=44, label=f"{label}：{merchant}", href=href, body=body)


def artwork_matches(artwork: str, signed_sha256: str) -> bool:
    """The stored artwork is the one the alliance signed (its SHA-256 over the UTF-8 text)."""
    return bool(signed_sha256) and hashlib.sha256(artwork.encode("utf-8")).hexdigest() == signed_sha256


def programme_badge(*, artwork: str, name: str, href: str) -> str:
    """The alliance's artwork (already sanitised when uploaded), nested in a link to its signed rules."""
    drawing = re.sub(r"^\s*<\?xml[^>]*\?>", "", artwork)
    return _frame(width=120, height=120, label=name, href=href, body=drawing)
