"""What a file is, read from its first bytes; the filename's extension only serves to report a mismatch."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from ..choices import MediaKind


@dataclass(frozen=True)
class Sniffed:
    """A recognised file type: its media kind, a short format name, its MIME type and stored extension."""

    kind: str
    fmt: str
    mime: str
    ext: str
    # Formats recognised but not accepted (HEIC without a decoder); refused with their own message.
    supported: bool = True


JPEG = Sniffed(MediaKind.IMAGE, "JPEG", "image/jpeg", "jpg")
PNG = Sniffed(MediaKind.IMAGE, "PNG", "image/png", "png")
GIF = Sniffed(MediaKind.IMAGE, "GIF", "image/gif", "gif")
WEBP = Sniffed(MediaKind.IMAGE, "WEBP", "image/webp", "webp")
HEIC = Sniffed(MediaKind.IMAGE, "HEIC", "image/heic", "heic", supported=False)
MP4 = Sniffed(MediaKind.VIDEO, "MP4", "video/mp4", "mp4")
MOV = Sniffed(MediaKind.VIDEO, "MOV", "video/quicktime", "mov")
WEBM = Sniffed(MediaKind.VIDEO, "WEBM", "video/webm", "webm")
PDF = Sniffed(MediaKind.PDF, "PDF", "application/pdf", "pdf")

_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif", b"avis"}

# Extensions and the format families they claim. MP4 and MOV share one container (ISO BMFF) and phones
# label them loosely, so either extension is taken as a claim of "ISO BMFF video".
_EXTENSION_CLAIMS = {
    "jpg": "JPEG", "jpeg": "JPEG", "jpe": "JPEG", "jfif": "JPEG",
    "png": "PNG", "gif": "GIF", "webp": "WEBP", "heic": "HEIC", "heif": "HEIC", "avif": "HEIC",
    "mp4": "ISOBMFF", "m4v": "ISOBMFF", "mov": "ISOBMFF", "qt": "ISOBMFF", "3gp": "ISOBMFF",
    "webm": "WEBM", "mkv": "WEBM",
    "pdf": "PDF",
}


def sniff(content: bytes) -> Sniffed | None:
    """The type of `content` from its magic bytes, or None when it is none of the accepted kinds."""
    head = content[:64]
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _HEIF_BRANDS:
            return HEIC
        return MOV if brand == b"qt  " else MP4
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in content[:256]:
        return WEBM
    if head.startswith(b"%PDF-"):
        return PDF
    return None


def extension_claim(filename: str) -> str | None:
    """The format family the filename's extension claims: None without an extension, "OTHER" for any
    extension that is not one of ours (a JPEG named .txt or .exe is not what it claims)."""
    suffix = PurePosixPath(filename.replace("\\", "/")).suffix.lower().lstrip(".")
    if not suffix:
        return None
    return _EXTENSION_CLAIMS.get(suffix, "OTHER")


def claim_matches(sniffed: Sniffed, claim: str | None) -> bool:
    """Whether the bytes are what the extension says (a name without extension claims nothing)."""
    if claim is None:
        return True
    family = "ISOBMFF" if sniffed.fmt in ("MP4", "MOV") else sniffed.fmt
    return family == claim
