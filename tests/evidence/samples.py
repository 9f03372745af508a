"""Small media files built in the tests: distinct PNGs, a JPEG with GPS EXIF, an MP4 with location boxes, a WebM,
a PDF."""

from __future__ import annotations

import io
import itertools
import struct

from PIL import Image

GPS_IFD = 0x8825
_colours = itertools.count(1)


def jpeg_with_gps(*, size: tuple[int, int] = (64, 48), orientation: int | None = None) -> bytes:
    """A JPEG whose EXIF carries a camera make, a GPS position (Kunming) and optionally an orientation."""
    image = Image.new("RGB", size, (30, 120, 60))
    image.paste((200, 40, 40), (0, 0, size[0] // 2, size[1] // 4))  # a red band at the top-left
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x0131] = "Firmware 1.0"  # Software
    if orientation is not None:
        exif[0x0112] = orientation
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (25.0, 2.0, 30.0), 3: "E", 4: (102.0, 42.0, 0.0)})
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, quality=90)
    return out.getvalue()


def png() -> bytes:
    """A small, distinct PNG each call (evidence files are stored once per digest)."""
    shade = next(_colours)
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (shade % 256, (shade * 7) % 256, 90)).save(buffer, format="PNG")
    return buffer.getvalue()


def image_bytes(fmt: str, *, size: tuple[int, int] = (40, 30), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (200, 180, 60) if mode == "RGB" else 1).save(out, format=fmt)
    return out.getvalue()


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def mvhd(*, timescale: int = 1000, duration: int = 42_000) -> bytes:
    return box(b"mvhd", b"\x00\x00\x00\x00" + struct.pack(">IIII", 0, 0, timescale, duration) + bytes(80))


def tkhd(*, width: int = 1280, height: int = 720) -> bytes:
    size = struct.pack(">II", width << 16, height << 16)
    body = b"\x00\x00\x00\x07" + bytes(20) + bytes(8) + bytes(8) + bytes(36) + size
    return box(b"tkhd", body)


LOCATION = b"+25.0417+102.7000/"


def mp4_with_location() -> bytes:
    """ftyp, moov (mvhd, a track with its own udta, moov-level udta ©xyz and meta), then mdat with stco offsets."""
    udta_track = box(b"udta", box(b"name", b"Zhang San's phone"))
    mdat_payload = b"\x00\x01\x02\x03" * 64
    ftyp = box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41")

    def movie(chunk_offset: int) -> bytes:
        stco = box(b"stco", b"\x00\x00\x00\x00" + struct.pack(">II", 1, chunk_offset))
        hdlr = box(b"hdlr", bytes(8) + b"vide" + bytes(12) + b"VideoHandler\x00")
        trak = box(b"trak", tkhd() + box(b"mdia", hdlr + box(b"minf", box(b"stbl", stco))) + udta_track)
        udta = box(b"udta", box(b"\xa9xyz", struct.pack(">HH", len(LOCATION), 0) + LOCATION))
        meta = box(b"meta", b"\x00\x00\x00\x00" + box(b"keys", b"com.apple.quicktime.location.ISO6709"))
        return box(b"moov", mvhd() + trak + udta + meta)

    length = len(ftyp) + len(movie(0))
    return ftyp + movie(length + 8) + box(b"mdat", mdat_payload)


def webm_with_tags() -> bytes:
    """An EBML header and a Segment with Info, a Tags element naming a place, and a Cluster."""

    def el(element_id: bytes, payload: bytes) -> bytes:
        return element_id + (0x01 << 56 | len(payload)).to_bytes(8, "big") + payload

    header = el(b"\x1a\x45\xdf\xa3", el(b"\x42\x82", b"webm"))
    info = el(b"\x15\x49\xa9\x66", el(b"\x4d\x80", b"TestMuxer"))
    simple_tag = el(b"\x67\xc8", el(b"\x45\xa3", b"LOCATION") + el(b"\x44\x87", b"Kunming"))
    tags = el(b"\x12\x54\xc3\x67", el(b"\x73\x73", simple_tag))
    cluster = el(b"\x1f\x43\xb6\x75", el(b"\xe7", b"\x00"))
    return header + el(b"\x18\x53\x80\x67", info + tags + cluster)


def pdf_with_metadata(*, author: str = "Zhang San") -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    document = canvas.Canvas(out)
    document.setAuthor(author)
    document.setTitle("有机产品认证证书")
    document.drawString(100, 700, "CN-ORG-2026-000123")
    document.save()
    return out.getvalue()
