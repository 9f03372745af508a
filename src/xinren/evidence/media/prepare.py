"""From uploaded bytes to what is stored: the refusals, the stripped file and its thumbnail.

Nothing here touches storage or the database, so a refusal leaves nothing behind.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from xinren.catalog.images import (
    DISPLAY_SIDE,
    THUMB_SIDE,
    image_encode,
    image_open,
    image_pixels,
    image_variant,
    photo_variants_encode,
)
from xinren.core.errors import InvalidInput

from .. import errors
from ..choices import MediaKind
from . import isobmff, pdf, posters, webm
from .sniff import GIF, PNG, Sniffed, claim_matches, extension_claim, sniff

_MIB = 1024 * 1024
DEFAULT_LIMITS: dict[str, int] = {MediaKind.IMAGE: 10 * _MIB, MediaKind.VIDEO: 50 * _MIB, MediaKind.PDF: 10 * _MIB}
_LIMIT_SETTINGS: dict[str, str] = {
    MediaKind.IMAGE: "XINREN_EVIDENCE_MAX_IMAGE_BYTES",
    MediaKind.VIDEO: "XINREN_EVIDENCE_MAX_VIDEO_BYTES",
    MediaKind.PDF: "XINREN_EVIDENCE_MAX_PDF_BYTES",
}
_IMAGE_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF"})


def size_limit(kind: str) -> int:
    """The largest upload of a kind, in bytes (settings override the defaults)."""
    return int(getattr(settings, _LIMIT_SETTINGS[kind], DEFAULT_LIMITS[kind]))


@dataclass(frozen=True)
class Prepared:
    """A validated, stripped file ready to be stored under its digest."""

    sha256: str
    kind: str
    mime: str
    ext: str
    content: bytes
    thumbnail: bytes
    display: bytes | None = None
    width: int | None = None
    height: int | None = None
    duration_ms: int | None = None
    pages: int | None = None
    # Responsive variants of a photo by (width, extension) (catalog/images.py): empty for videos and PDFs.
    variants: dict[tuple[int, str], bytes] = field(default_factory=dict)


def media_prepare(*, content: bytes, filename: str, kinds: frozenset[str]) -> Prepared:
    """Sniff, check limits, strip metadata and draw the thumbnail; raise InvalidInput on any refusal."""
    if not content:
        raise InvalidInput(errors.EMPTY, _("文件是空的"))
    found = sniff(content)
    if found is None:
        raise InvalidInput(
            errors.TYPE_UNKNOWN, _("无法识别的文件类型：只接受 JPEG、PNG、WebP、GIF 图片，MP4、MOV、WebM 视频和 PDF"),
            details={"filename": filename[:128]},
        )
    claim = extension_claim(filename)
    if not claim_matches(found, claim):
        raise InvalidInput(errors.TYPE_MISMATCH, _("文件内容（%(actual)s）与文件名所示类型不符，请检查后重新上传")
                           % {"actual": found.fmt}, details={"filename": filename[:128], "detected": found.mime})
    if not found.supported:
        raise InvalidInput(
            errors.TYPE_UNSUPPORTED,
            _("暂不支持 HEIC/HEIF 图片，请在手机相机设置中选择“兼容性最佳”，或转为 JPEG 后上传"),
            details={"detected": found.mime},
        )
    if found.kind not in kinds:
        raise InvalidInput(errors.KIND_NOT_ALLOWED, _("此处不接受这类文件"),
                           details={"detected": found.kind, "accepted": sorted(kinds)})
    limit = size_limit(found.kind)
    if len(content) > limit:
        raise InvalidInput(errors.TOO_LARGE, _("文件过大：%(kind)s 不能超过 %(mib)s MiB")
                           % {"kind": MediaKind(found.kind).label, "mib": limit // _MIB},
                           details={"size": len(content), "max_bytes": limit})
    if found.kind == MediaKind.IMAGE:
        return _image(content, found)
    if found.kind == MediaKind.VIDEO:
        return _video(content, found)
    return _pdf(content, found)


def _image(content: bytes, found: Sniffed) -> Prepared:
    image, fmt = image_open(data=content, formats=_IMAGE_FORMATS, code=errors.IMAGE_BROKEN,
                            pixels_code=errors.IMAGE_TOO_MANY_PIXELS)
    pixels = image_pixels(image)  # a GIF keeps its first frame only, stored as PNG
    if pixels is not image:
        image.close()  # the decoded upload is not needed any more: a large photo is held once, not twice
    del image
    stored = PNG if fmt == GIF.fmt else found
    payload = image_encode(pixels, fmt=stored.fmt)
    display, _w, _h = image_variant(pixels, max_side=DISPLAY_SIDE)
    thumbnail, _w, _h = image_variant(pixels, max_side=THUMB_SIDE)
    return Prepared(
        sha256=hashlib.sha256(payload).hexdigest(), kind=MediaKind.IMAGE, mime=stored.mime, ext=stored.ext,
        content=payload, thumbnail=thumbnail, display=display, width=pixels.width, height=pixels.height,
        variants=photo_variants_encode(pixels),
    )


def _video(content: bytes, found: Sniffed) -> Prepared:
    duration_ms = width = height = None
    try:
        if found.fmt == "WEBM":
            payload, _blanked = webm.strip(content)
        else:
            payload, info = isobmff.strip(content)
            duration_ms, width, height = info.duration_ms, info.width, info.height
    except (isobmff.BoxError, webm.EbmlError) as exc:
        raise InvalidInput(errors.VIDEO_BROKEN, _("视频文件已损坏或格式不完整"),
                           details={"reason": str(exc)[:200]}) from exc
    thumbnail, _w, _h = posters.video_poster(duration_ms=duration_ms)
    return Prepared(
        sha256=hashlib.sha256(payload).hexdigest(), kind=MediaKind.VIDEO, mime=found.mime, ext=found.ext,
        content=payload, thumbnail=thumbnail, width=width, height=height, duration_ms=duration_ms,
    )


def _pdf(content: bytes, found: Sniffed) -> Prepared:
    try:
        payload, info = pdf.strip(content)
    except pdf.PdfRefused as exc:
        if exc.encrypted:
            raise InvalidInput(errors.PDF_ENCRYPTED, _("PDF 已加密，请上传未加密的文件")) from exc
        raise InvalidInput(errors.PDF_BROKEN, _("PDF 文件已损坏或无法读取"),
                           details={"reason": str(exc)[:200]}) from exc
    thumbnail, _w, _h = posters.document_tile(pages=info.pages)
    return Prepared(
        sha256=hashlib.sha256(payload).hexdigest(), kind=MediaKind.PDF, mime=found.mime, ext=found.ext,
        content=payload, thumbnail=thumbnail, pages=info.pages,
    )
