"""One-click share cards (分享卡片): a 750×1000 PNG with the product, a review excerpt, the stars and a QR code.

The QR code links to the product's GS1 Digital Link page, `<base>/01/<GTIN-14>?ref=<referral id>`, where the
referral id is the signed-in sharer's (selectors.referral_id); an anonymous share carries no ref. The base is the
platform's public origin (core/origin.py, ADR 0019), never the host a request named: a card printed or forwarded
must open the platform whatever address the sharer happened to use. Chinese text is set in Noto Sans SC, shipped
by the `pylopdf-fonts-zh-cn` package (CI machines have no system CJK font). Cards are cached in the default
storage under (review, sharer, CARD_VERSION): a new layout gets a new version, never a stale card.
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
from urllib.parse import urlencode

import segno
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont

from xinren import adlaw
from xinren.catalog.facts import copy_refuse
from xinren.core.origin import public_url
from xinren.reviews.models import Review
from xinren.reviews.selectors import review_display_name

from . import errors

CARD_VERSION = "card-2026-11a"
WIDTH, HEIGHT = 750, 1000
MARGIN = 48
EXCERPT_LINES = 7
INK = (34, 34, 34)
ACCENT = (156, 58, 31)
MUTED = (110, 110, 110)
STAR_ON = (232, 160, 32)
STAR_OFF = (220, 220, 220)

NO_LINE_START = frozenset("，。、；：！？）」』】》”’…,.;:!?)")

FontT = ImageFont.FreeTypeFont | ImageFont.ImageFont


@functools.lru_cache(maxsize=8)
def _font(size: int) -> FontT:
    try:
        import pylopdf_fonts_zh_cn

        return ImageFont.truetype(str(pylopdf_fonts_zh_cn.sans_path()), size)
    except (ImportError, OSError):  # without the font package the card still renders, Chinese as boxes
        return ImageFont.load_default(size)


def share_link(*, gtin: str, ref: str = "") -> str:
    """The link inside the QR code: the product's Digital Link page on the public origin, with the sharer's referral
    id if any."""
    link = public_url(f"/01/{gtin.zfill(14)}")
    return f"{link}?{urlencode({'ref': ref})}" if ref else link


def wrap(text: str, *, font: FontT, width: int, max_lines: int) -> list[str]:
    """Break text into lines no wider than `width`, character by character (CJK has no spaces), ending with "…"
    when it does not fit in `max_lines`."""
    lines: list[str] = []
    current = ""
    for char in " ".join(text.split()):
        if font.getlength(current + char) > width and char not in NO_LINE_START:
            lines.append(current)
            current = char.lstrip()
        else:  # closing punctuation never starts a line (禁则): it may hang past the margin
            current += char
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and font.getlength(last + "…") > width:
            last = last[:-1]
        lines[-1] = last + "…"
    return lines


def _star(draw: ImageDraw.ImageDraw, x: float, y: float, r: float, fill: tuple[int, int, int]) -> None:
    points = []
    for i in range(10):
        radius = r if i % 2 == 0 else r * 0.45
        angle = math.pi / 2 + i * math.pi / 5
        points.append((x + radius * math.cos(angle), y - radius * math.sin(angle)))
    draw.polygon(points, fill=fill)


def _qr(link: str, size: int) -> Image.Image:
    qr = segno.make(link, error="m", micro=False)
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=max(1, size // (qr.symbol_size(border=2)[0])), border=2)
    buffer.seek(0)
    return Image.open(buffer).convert("RGB").resize((size, size), Image.Resampling.NEAREST)


def card_render(*, review: Review, link: str, tier_label: str = "", trial_label: str = "") -> bytes:
    """The PNG bytes of a share card for one review."""
    image = Image.new("RGB", (WIDTH, HEIGHT), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 96), fill=ACCENT)
    draw.text((MARGIN, 26), _("信任 · 好物圈"), font=_font(36), fill=(255, 255, 255))
    y = 128
    for line in wrap(review.product.name, font=_font(40), width=WIDTH - 2 * MARGIN, max_lines=2):
        draw.text((MARGIN, y), line, font=_font(40), fill=INK)
        y += 54
    y += 8
    for i in range(5):
        _star(draw, MARGIN + 22 + i * 52, y + 22, 22, STAR_ON if i < review.stars else STAR_OFF)
    badges = " · ".join(label for label in (_("已验证购买"), tier_label, trial_label) if label)
    draw.text((MARGIN, y + 56), badges, font=_font(26), fill=MUTED)
    y += 112
    excerpt_font = _font(32)
    for line in wrap(review.text, font=excerpt_font, width=WIDTH - 2 * MARGIN, max_lines=EXCERPT_LINES):
        draw.text((MARGIN, y), line, font=excerpt_font, fill=INK)
        y += 46
    draw.text((MARGIN, y + 12), f"— {review_display_name(review)}", font=_font(24), fill=MUTED)
    qr_size = 260
    qr_top = HEIGHT - qr_size - 60
    image.paste(_qr(link, qr_size), (MARGIN, qr_top))
    caption_x = MARGIN + qr_size + 32
    draw.text((caption_x, qr_top + 70), _("扫码查看溯源与全部评价"), font=_font(28), fill=INK)
    draw.text((caption_x, qr_top + 116), f"GTIN {review.product.gtin.zfill(14)}", font=_font(24), fill=MUTED)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def card_path(*, review_id: int, link: str, labels: tuple[str, ...]) -> str:
    """Storage path of a card: per review, per link (which carries the sharer's ref), labels, language, version."""
    key = "\n".join((link, get_language() or "", *labels))
    return f"community/share/{review_id}/{hashlib.sha256(key.encode()).hexdigest()[:20]}-{CARD_VERSION}.png"


def card_get_or_render(
    *, review: Review, ref: str, tier_label: str = "", trial_label: str = ""
) -> bytes:
    """The cached card of (review, sharer, version), rendered and stored on first use. A card is advertising copy
    once shared with a referral: its product name and excerpt are checked against the Advertising Law first, and a
    blocking finding refuses (`InvalidInput`, the article and a rewrite) with nothing rendered or stored."""
    category = review.product.category
    copy_refuse(
        [
            (field, finding)
            for field, text in (("name", review.product.name), ("text", review.text))
            for finding in adlaw.check(text, field=field, category=category)
        ],
        code=errors.SHARE_COPY_NONCOMPLIANT,
    )
    link = share_link(gtin=review.product.gtin, ref=ref)
    # The reviewer's shown name is part of the key: a new nickname draws a new card.
    path = card_path(review_id=review.pk, link=link, labels=(tier_label, trial_label, review_display_name(review)))
    if default_storage.exists(path):
        with default_storage.open(path, "rb") as stored:
            return bytes(stored.read())
    data = card_render(review=review, link=link, tier_label=tier_label, trial_label=trial_label)
    default_storage.save(path, ContentFile(data))
    return data
