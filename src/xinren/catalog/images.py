"""Validating uploaded photos, stripping their metadata, and their display and thumbnail sizes.

Product photos (`image_clean`) and evidence photos (the evidence context) share these steps: the type is sniffed
from the bytes, the pixel count is bounded before decoding (decompression bombs), the camera's rotation is
applied and only the pixels are copied into a new image, so EXIF (GPS, camera serials), XMP and text chunks
stay behind. The display size (≤ 1280 px) and thumbnail (≤ 320 px) are JPEG, which every phone browser shows.

Responsive variants (`photo_variants_make`, `photo_for`): each photo is also stored at the widths of PHOTO_WIDTHS
that it reaches, as AVIF, WebP and JPEG, named by the photo's digest and width, so that a page can offer
`<picture>` sources (web/templatetags/photos.py) without reading storage: the names follow from the digest and
the photo's size alone. A phone at 390 px picks a 320 or 640 px AVIF of a few KiB instead of a 1280 px JPEG.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError
from typing_extensions import TypedDict

from xinren.core.errors import InvalidInput

from .errors import IMAGE_INVALID, IMAGE_TOO_MANY_PIXELS

if TYPE_CHECKING:
    from .models import ProductImage

_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
THUMB_SIDE = 320
DISPLAY_SIDE = 1280
VARIANT_QUALITY = 82
# Responsive variants: the widths a page may pick from, and the formats in the order browsers are offered them
# (the first one a browser can decode wins; JPEG is the fallback every browser shows).
PHOTO_WIDTHS = (160, 320, 640, 1280)
# AVIF at encoder speed 8: libaom's default (6) spent ~0.7 s on a 640 px photo on a loaded 2-core machine, speed 8
# ~35 ms, and the files came out no larger (bench/aftersales/RESULTS.md, "Photos").
PHOTO_FORMATS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("avif", "AVIF", {"quality": 50, "speed": 8}),
    ("webp", "WEBP", {"quality": 75, "method": 4}),
    ("jpg", "JPEG", {"quality": 78, "optimize": True, "progressive": True}),
)
PRODUCT_VARIANTS = "products/variants"


def max_pixels() -> int:
    """The largest picture accepted, in pixels (XINREN_MAX_IMAGE_PIXELS): decoding costs about 4 bytes a pixel
    per copy whatever the file's size, so a 116 KB PNG can claim 40 million pixels and cost a worker ~400 MB."""
    return int(settings.XINREN_MAX_IMAGE_PIXELS)


def _too_many_pixels(*, code: str, width: int | None, height: int | None, limit: int) -> InvalidInput:
    return InvalidInput(
        code, _("图片像素过多：最多 %(megapixels)s 百万像素，请缩小后再上传") % {"megapixels": limit // 1_000_000},
        details={"width": width, "height": height, "max_pixels": limit},
    )


def image_open(*, data: bytes, formats: frozenset[str], code: str = IMAGE_INVALID,
               pixels_code: str = IMAGE_TOO_MANY_PIXELS) -> tuple[Image.Image, str]:
    """Decode an upload after checking its format and pixel count; refuses with InvalidInput(`code`), or
    InvalidInput(`pixels_code`) when the header claims more pixels than XINREN_MAX_IMAGE_PIXELS.

    The size is read from the header before any pixel is decoded; Pillow's own bomb check
    (Image.MAX_IMAGE_PIXELS, set to the same limit) stays as a second line.
    """
    limit = max_pixels()
    Image.MAX_IMAGE_PIXELS = limit
    try:
        with warnings.catch_warnings():
            # The pixel count is checked below, before decoding, at the limit Pillow only warns about.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                fmt = probe.format or ""
                if fmt not in formats:
                    raise InvalidInput(code, _("不支持此图片格式"),
                                       details={"format": fmt, "accepted": sorted(formats)})
                if probe.width * probe.height > limit:
                    raise _too_many_pixels(code=pixels_code, width=probe.width, height=probe.height, limit=limit)
                probe.verify()
            image: Image.Image = Image.open(io.BytesIO(data))
            image.load()
    except Image.DecompressionBombError as exc:  # over twice the limit: Pillow refuses before reading the size out
        raise _too_many_pixels(code=pixels_code, width=None, height=None, limit=limit) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InvalidInput(code, _("文件不是有效的图片")) from exc
    return image, fmt


def image_pixels(image: Image.Image) -> Image.Image:
    """The upright pixels alone: rotation applied, in an image with no metadata at all.

    When rotating or converting already made a new image, that one is kept with its metadata (`info`, the only
    place Pillow's encoders fall back to) emptied; otherwise the pixels are copied into a new image, so that
    a large photo is held at most twice at once.
    """
    upright = ImageOps.exif_transpose(image) or image
    if upright.mode == "P":
        upright = upright.convert("RGBA")
    elif upright.mode not in ("RGB", "RGBA", "L", "LA"):
        upright = upright.convert("RGB")
    if upright is image:
        clean = Image.new(upright.mode, upright.size)
        clean.paste(upright)
    else:
        clean = upright
    clean.info = {}
    return clean


def image_encode(image: Image.Image, *, fmt: str) -> bytes:
    """Encode pixels as JPEG, PNG or WebP, with no metadata written."""
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = _flatten(image)
    out = io.BytesIO()
    image.save(out, format=fmt, **({"quality": 88} if fmt != "PNG" else {}))
    return out.getvalue()


def _flatten(image: Image.Image) -> Image.Image:
    """Transparent areas become white (JPEG has no alpha)."""
    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background


def image_variant(image: Image.Image, *, max_side: int) -> tuple[bytes, int, int]:
    """A JPEG no larger than `max_side` on its longer side (never enlarged), with its width and height.

    Scaled straight from the source (no full-size copy first): a large photo costs its own pixels once more
    at most, not twice.
    """
    scale = min(1.0, max_side / max(image.width, image.height))
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    variant = image if size == image.size else image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    if variant.mode not in ("RGB", "L"):
        variant = _flatten(variant)
    out = io.BytesIO()
    variant.save(out, format="JPEG", quality=VARIANT_QUALITY, optimize=True, progressive=True)
    return out.getvalue(), variant.width, variant.height


def image_clean(*, data: bytes) -> tuple[ContentFile, str]:
    """Sniff the type from the bytes, refuse anything but JPEG/PNG/WebP, re-encode without metadata.

    Returns the clean file (named by its SHA-256) and that digest.
    """
    if len(data) > settings.XINREN_MAX_IMAGE_BYTES:
        raise InvalidInput(IMAGE_INVALID, _("图片过大"), details={"max_bytes": settings.XINREN_MAX_IMAGE_BYTES})
    image, fmt = image_open(data=data, formats=frozenset(_FORMATS))
    payload = image_encode(image_pixels(image), fmt=fmt)
    digest = hashlib.sha256(payload).hexdigest()
    return ContentFile(payload, name=f"{digest}.{_FORMATS[fmt]}"), digest


def product_image_variants(image: ProductImage) -> dict[str, str]:
    """Storage names of a product photo's display size and thumbnail, made on first use.

    Photos uploaded before variants existed get them here (or all at once with `manage.py
    evidence_variants`); the names derive from the photo's digest, so every process finds the same files.
    """
    names = {
        "display": f"products/variants/{image.sha256}-{DISPLAY_SIDE}.jpg",
        "thumbnail": f"products/variants/{image.sha256}-{THUMB_SIDE}.jpg",
    }
    if all(default_storage.exists(name) for name in names.values()):
        return names
    with image.image.open("rb") as stored:
        source, _fmt = image_open(data=stored.read(), formats=frozenset(_FORMATS))
    pixels = image_pixels(source)
    for key, side in (("display", DISPLAY_SIDE), ("thumbnail", THUMB_SIDE)):
        if not default_storage.exists(names[key]):
            payload, _width, _height = image_variant(pixels, max_side=side)
            default_storage.save(names[key], ContentFile(payload))
    return names


# -- responsive variants ------------------------------------------------------------------------------------


class PhotoRef(TypedDict, closed=True):
    """A photo with stored responsive variants, as selectors hand it to pages (and the JSON carries it): where
    the variants are, whose digest names them, and the photo's size. `photo_for` turns it into URLs."""

    prefix: str  # storage folder of the variants
    sha256: str
    width: int
    height: int


class Photo(TypedDict, closed=True):
    """What a page needs to draw one photo as `<picture>` (web/templatetags/photos.py)."""

    avif: str  # srcset: "url 160w, url 320w, …"
    webp: str
    jpg: str
    src: str  # the JPEG for browsers without srcset
    width: int  # of `src`: the width and height attributes keep the layout from jumping as images arrive
    height: int


def photo_widths(width: int) -> tuple[int, ...]:
    """The variant widths made for a photo `width` pixels wide: those of PHOTO_WIDTHS below it, and the photo's
    own width when it is narrower than the largest (a photo is never enlarged)."""
    widths = [w for w in PHOTO_WIDTHS if w < width]
    top = min(width, PHOTO_WIDTHS[-1])
    if top not in widths:
        widths.append(top)
    return tuple(widths)


def photo_height(*, width: int, height: int, at: int) -> int:
    """The height of the variant `at` pixels wide of a `width` x `height` photo."""
    return max(1, round(height * at / width))


def photo_variant_name(*, prefix: str, sha256: str, width: int, ext: str) -> str:
    return f"{prefix}/{sha256}-{width}w.{ext}"


def photo_variants_encode(pixels: Image.Image) -> dict[tuple[int, str], bytes]:
    """The AVIF, WebP and JPEG variants of upright, metadata-free `pixels` (see `image_pixels`) at each of
    `photo_widths`, by (width, extension).

    Each width is scaled from the next larger variant rather than from the source: a 40 MP photo is read once,
    the smaller sizes cost little. Encoders are given no metadata (the pixels carry none).
    """
    encoded: dict[tuple[int, str], bytes] = {}
    source = pixels
    for width in sorted(photo_widths(pixels.width), reverse=True):
        size = (width, photo_height(width=pixels.width, height=pixels.height, at=width))
        variant = source if size == source.size else source.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        if variant.mode not in ("RGB", "L"):
            variant = _flatten(variant)
        source = variant
        for ext, fmt, options in PHOTO_FORMATS:
            out = io.BytesIO()
            variant.save(out, format=fmt, **options)
            encoded[(width, ext)] = out.getvalue()
    return encoded


def photo_variants_store(encoded: dict[tuple[int, str], bytes], *, prefix: str, sha256: str) -> list[str]:
    """Store encoded variants under their content-addressed names (one already stored is kept)."""
    names = []
    for (width, ext), payload in encoded.items():
        name = photo_variant_name(prefix=prefix, sha256=sha256, width=width, ext=ext)
        names.append(name)
        if default_storage.exists(name):
            # Left by a transaction that stored it and rolled back (kept when whole), or cut short by a crash.
            with default_storage.open(name, "rb") as existing:
                if existing.read() == payload:
                    continue
            default_storage.delete(name)
        default_storage.save(name, ContentFile(payload))
    return names


def photo_variants_make(pixels: Image.Image, *, prefix: str, sha256: str) -> list[str]:
    """Encode and store the variants of `pixels`; returns their storage names."""
    return photo_variants_store(photo_variants_encode(pixels), prefix=prefix, sha256=sha256)


def photo_for(ref: PhotoRef, *, src_width: int = 640, max_width: int = PHOTO_WIDTHS[-1]) -> Photo:
    """A photo's `<picture>` data from its reference alone (no storage access): the variants must exist
    (`photo_variants_make`). `src_width` picks the fallback JPEG: the largest variant not wider than it;
    `max_width` leaves larger variants out of the srcsets (a thumbnail slot never needs them)."""
    prefix, sha256, width = ref["prefix"], ref["sha256"], ref["width"]
    every = photo_widths(width)
    widths = [w for w in every if w <= max_width] or [every[0]]
    fallback = max((w for w in widths if w <= src_width), default=widths[0])

    def url(at: int, ext: str) -> str:
        return default_storage.url(photo_variant_name(prefix=prefix, sha256=sha256, width=at, ext=ext))

    return {
        "avif": ", ".join(f"{url(w, 'avif')} {w}w" for w in widths),
        "webp": ", ".join(f"{url(w, 'webp')} {w}w" for w in widths),
        "jpg": ", ".join(f"{url(w, 'jpg')} {w}w" for w in widths),
        "src": url(fallback, "jpg"),
        "width": fallback,
        "height": photo_height(width=width, height=ref["height"], at=fallback),
    }


def product_photo_make(image: ProductImage) -> tuple[int, int]:
    """Make a product photo's responsive variants from its stored file; returns its width and height."""
    with default_storage.open(str(image.image.name), "rb") as stored:  # not the field's file: it stays usable
        source, _fmt = image_open(data=stored.read(), formats=frozenset(_FORMATS))
    pixels = image_pixels(source)
    photo_variants_make(pixels, prefix=PRODUCT_VARIANTS, sha256=image.sha256)
    return pixels.width, pixels.height


def product_photo(image: ProductImage) -> PhotoRef | None:
    """A product photo's reference, or None while its variants are not made (`manage.py photos_backfill`)."""
    if image.width is None or image.height is None:
        return None
    return {"prefix": PRODUCT_VARIANTS, "sha256": image.sha256, "width": image.width, "height": image.height}
