"""Thumbnails for files that are not pictures, drawn with Pillow.

There is no ffmpeg on the platform's machines, so a video's thumbnail is a poster (a play symbol and the
duration read from the file), not a frame of the video; a PDF's is a document tile with its page count.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

POSTER_SIZE = (320, 180)
TILE_SIZE = (240, 320)
_QUALITY = 82


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=_QUALITY, optimize=True)
    return out.getvalue()


def duration_text(duration_ms: int | None) -> str:
    """m:ss (or h:mm:ss) for a duration, empty when unknown."""
    if duration_ms is None:
        return ""
    seconds = duration_ms // 1000
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def video_poster(*, duration_ms: int | None) -> tuple[bytes, int, int]:
    """A dark 16:9 poster with a play symbol and the duration, as JPEG with its size."""
    width, height = POSTER_SIZE
    image = Image.new("RGB", POSTER_SIZE, (38, 50, 56))
    draw = ImageDraw.Draw(image)
    cx, cy, r = width // 2, height // 2, 44
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(255, 255, 255))
    draw.polygon([(cx - 14, cy - 22), (cx - 14, cy + 22), (cx + 24, cy)], fill=(38, 50, 56))
    text = duration_text(duration_ms)
    if text:
        font = _font(22)
        box = draw.textbbox((0, 0), text, font=font)
        tw, th = box[2] - box[0], box[3] - box[1]
        draw.rectangle((width - tw - 22, height - th - 22, width - 6, height - 6), fill=(0, 0, 0))
        draw.text((width - tw - 14, height - th - 16), text, fill=(255, 255, 255), font=font)
    return _jpeg(image), width, height


def document_tile(*, pages: int) -> tuple[bytes, int, int]:
    """A paper tile with a folded corner, "PDF" and the page count, as JPEG with its size."""
    width, height = TILE_SIZE
    image = Image.new("RGB", TILE_SIZE, (236, 239, 241))
    draw = ImageDraw.Draw(image)
    fold = 44
    paper = [(24, 16), (width - 24 - fold, 16), (width - 24, 16 + fold), (width - 24, height - 16), (24, height - 16)]
    draw.polygon(paper, fill=(255, 255, 255), outline=(176, 190, 197), width=2)
    draw.polygon([(width - 24 - fold, 16), (width - 24 - fold, 16 + fold), (width - 24, 16 + fold)],
                 fill=(207, 216, 220))
    for row in range(5):
        y = 110 + row * 22
        draw.line((48, y, width - 48 - (row % 2) * 40, y), fill=(207, 216, 220), width=6)
    draw.rectangle((48, 230, 138, 270), fill=(198, 40, 40))
    draw.text((58, 234), "PDF", fill=(255, 255, 255), font=_font(28))
    draw.text((150, 240), f"{pages} p", fill=(84, 110, 122), font=_font(20))
    return _jpeg(image), width, height
