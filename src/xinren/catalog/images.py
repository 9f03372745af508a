"""Validating uploaded product photos and stripping their metadata."""

from __future__ import annotations

import hashlib
import io

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from xinren.core.errors import InvalidInput

from .errors import IMAGE_INVALID

_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_PIXELS = 40_000_000


def image_clean(*, data: bytes) -> tuple[ContentFile, str]:
    """Sniff the type from the bytes, refuse anything but JPEG/PNG/WebP, re-encode without metadata.

    Returns the clean file (named by its SHA-256) and that digest.
    """
    if len(data) > settings.XINREN_MAX_IMAGE_BYTES:
        raise InvalidInput(IMAGE_INVALID, _("图片过大"), details={"max_bytes": settings.XINREN_MAX_IMAGE_BYTES})
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        image: Image.Image = Image.open(io.BytesIO(data))
        fmt = image.format or ""
        if fmt not in _FORMATS:
            raise InvalidInput(IMAGE_INVALID, _("只接受 JPEG、PNG 或 WebP 图片"), details={"format": fmt})
        if image.width * image.height > MAX_PIXELS:
            raise InvalidInput(IMAGE_INVALID, _("图片像素过多"))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise InvalidInput(IMAGE_INVALID, _("文件不是有效的图片")) from exc
    # Apply the camera's rotation, then copy pixels only: EXIF (GPS, camera serials), XMP and text chunks stay behind.
    image = ImageOps.exif_transpose(image)
    if image.mode == "P":
        image = image.convert("RGBA")
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    out = io.BytesIO()
    clean.save(out, format=fmt, **({"quality": 88} if fmt != "PNG" else {}))
    payload = out.getvalue()
    digest = hashlib.sha256(payload).hexdigest()
    return ContentFile(payload, name=f"{digest}.{_FORMATS[fmt]}"), digest
