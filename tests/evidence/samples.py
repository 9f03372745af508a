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


# -- Hand-built MP4 layouts, each hiding a location somewhere else (tests/evidence/test_mp4_layouts.py) ----------
VIDEO_SAMPLE = bytes(range(256))
LOCATION_SAMPLE = b"\x00\x12" + LOCATION  # a timed-metadata sample: a length and the ISO 6709 string


def _full(kind: bytes, payload: bytes, *, flags: int = 0) -> bytes:
    return box(kind, struct.pack(">I", flags) + payload)


def _tkhd(track_id: int, *, width: int = 1280, height: int = 720) -> bytes:
    return _full(b"tkhd", bytes(8) + struct.pack(">I", track_id) + bytes(8) + bytes(8) + bytes(8) + bytes(36)
                 + struct.pack(">II", width << 16, height << 16), flags=7)


def _hdlr(handler: bytes) -> bytes:
    return _full(b"hdlr", bytes(4) + handler + bytes(12) + b"Handler\x00")


def _trak(track_id: int, handler: bytes, *, offset: int | None, size: int, stsd: bytes = b"",
          extra: bytes = b"") -> bytes:
    """A track with one sample of `size` bytes at `offset` (no sample tables entries when offset is None)."""
    if offset is None:
        tables = _full(b"stsc", struct.pack(">I", 0)) + _full(b"stsz", struct.pack(">II", 0, 0)) + _full(
            b"stco", struct.pack(">I", 0))
    else:
        tables = (_full(b"stsc", struct.pack(">IIII", 1, 1, 1, 1)) + _full(b"stsz", struct.pack(">II", size, 1))
                  + _full(b"stco", struct.pack(">II", 1, offset)))
    stbl = box(b"stbl", _full(b"stsd", struct.pack(">I", 1 if stsd else 0) + stsd) + tables)
    minf = box(b"minf", _full(b"nmhd" if handler != b"vide" else b"vmhd", bytes(8 if handler == b"vide" else 0))
               + box(b"dinf", _full(b"dref", struct.pack(">I", 0))) + stbl)
    return box(b"trak", _tkhd(track_id) + box(b"mdia", _hdlr(handler) + minf) + extra)


def _mebx() -> bytes:
    """Apple's timed-metadata sample entry, naming the location key."""
    key = box(b"keyd", b"mdta" + b"com.apple.quicktime.location.ISO6709")
    keys = box(b"keys", box(struct.pack(">I", 1), key))
    return box(b"mebx", bytes(6) + struct.pack(">H", 1) + keys)


def xyz_udta() -> bytes:
    return box(b"udta", box(b"\xa9xyz", struct.pack(">HH", len(LOCATION), 0) + LOCATION))


def apple_meta() -> bytes:
    """moov/meta with the mdta handler, the location key and its value in ilst."""
    keys = _full(b"keys", struct.pack(">I", 1) + box(b"mdta", b"com.apple.quicktime.location.ISO6709"))
    value = box(b"data", struct.pack(">II", 1, 0) + LOCATION)
    ilst = box(b"ilst", box(struct.pack(">I", 1), value))
    return _full(b"meta", _hdlr(b"mdta") + keys + ilst)


def loci_udta() -> bytes:
    """3GPP loci: a place name and fixed-point coordinates."""
    return box(b"udta", _full(b"loci", b"\x15\xc7" + b"Kunming\x00" + b"\x00" + struct.pack(">ii", 6_730_000, 1_641_000)
                              + b"\x00\x00earth\x00\x00") + box(b"XMP_", b"<x:xmpmeta>" + LOCATION + b"</x:xmpmeta>"))


def mp4_layout(*, moov_extra: bytes = b"", trak_extra: bytes = b"", top_before: bytes = b"",
               top_after: bytes = b"", moov_last: bool = False, meta_track: bool = False) -> bytes:
    """ftyp, the movie and mdat in either order; a video track, optionally a timed location track."""
    ftyp = box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41")
    payload = VIDEO_SAMPLE + (LOCATION_SAMPLE if meta_track else b"")
    mdat = box(b"mdat", payload)

    def movie(mdat_body: int) -> bytes:
        tracks = _trak(1, b"vide", offset=mdat_body, size=len(VIDEO_SAMPLE), extra=trak_extra)
        if meta_track:
            tracks += _trak(2, b"meta", offset=mdat_body + len(VIDEO_SAMPLE), size=len(LOCATION_SAMPLE),
                            stsd=_mebx())
        return box(b"moov", mvhd() + tracks + moov_extra)

    if moov_last:
        mdat_body = len(ftyp) + len(top_before) + 8
        return ftyp + top_before + mdat + movie(mdat_body) + top_after
    head = len(ftyp) + len(top_before) + len(movie(0))
    return ftyp + top_before + movie(head + 8) + mdat + top_after


def mp4_fragmented(*, traf_extra: bytes = b"", moof_extra: bytes = b"") -> bytes:
    """ftyp, moov (empty tables, mvex), then one fragment: moof with a video and a location traf, then mdat."""
    ftyp = box(b"ftyp", b"iso6\x00\x00\x02\x00iso6cmfc")
    trex = b"".join(_full(b"trex", struct.pack(">IIIII", track, 1, 0, 0, 0)) for track in (1, 2))
    moov = box(b"moov", mvhd() + _trak(1, b"vide", offset=None, size=0)
               + _trak(2, b"meta", offset=None, size=0, stsd=_mebx()) + box(b"mvex", trex))

    def moof(data_offsets: tuple[int, int]) -> bytes:
        trafs = b""
        for track, sample, offset, extra in ((1, VIDEO_SAMPLE, data_offsets[0], b""),
                                             (2, LOCATION_SAMPLE, data_offsets[1], traf_extra)):
            tfhd = _full(b"tfhd", struct.pack(">I", track), flags=0x020000)
            trun = _full(b"trun", struct.pack(">IiI", 1, offset, len(sample)), flags=0x201)
            trafs += box(b"traf", tfhd + trun + extra)
        return box(b"moof", _full(b"mfhd", struct.pack(">I", 1)) + trafs + moof_extra)

    size = len(moof((0, 0)))
    mdat = box(b"mdat", VIDEO_SAMPLE + LOCATION_SAMPLE)
    return ftyp + moov + moof((size + 8, size + 8 + len(VIDEO_SAMPLE))) + mdat
