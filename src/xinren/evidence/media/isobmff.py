"""MP4 / MOV (ISO base media file format): checking the box structure and blanking metadata boxes.

GPS positions, device names and free-text tags sit in `udta` (QuickTime `©xyz`, 3GPP `loci`) and `meta`
(Apple's `com.apple.quicktime.location.ISO6709` keys) boxes inside `moov` and its tracks, and XMP in a
top-level `uuid` box. Each is overwritten in place by a `free` box of the same size with zeroed content:
no byte moves, so the chunk offsets in `stco`/`co64` stay valid and the video plays as before.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass

# Boxes whose children are boxes, walked to find metadata anywhere inside the movie.
_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf", b"moof", b"traf", b"mvex"}
_METADATA = {b"udta", b"meta"}
_XMP_UUID = bytes.fromhex("be7acfcb97a942e89c71999491e3afac")
_MAX_DEPTH = 16


class BoxError(ValueError):
    """The file is not a well-formed sequence of boxes."""


@dataclass(frozen=True)
class Box:
    type: bytes
    start: int  # offset of the box header
    header: int  # header length (8, or 16 with a 64-bit size)
    end: int

    @property
    def body(self) -> int:
        return self.start + self.header


def _boxes(data: bytes | bytearray, start: int, end: int) -> Iterator[Box]:
    position = start
    while position < end:
        if end - position < 8:
            raise BoxError("truncated box header")
        size, kind = struct.unpack_from(">I4s", data, position)
        header = 8
        if size == 1:
            if end - position < 16:
                raise BoxError("truncated large box header")
            (size,) = struct.unpack_from(">Q", data, position + 8)
            header = 16
        elif size == 0:
            size = end - position
        if size < header or position + size > end:
            raise BoxError(f"box {kind!r} at {position} overruns its parent")
        yield Box(kind, position, header, position + size)
        position += size


@dataclass(frozen=True)
class MovieInfo:
    """What the poster shows and the row records."""

    duration_ms: int | None
    width: int | None
    height: int | None
    blanked: int  # how many metadata boxes were overwritten


def strip(content: bytes) -> tuple[bytes, MovieInfo]:
    """The file with every metadata box blanked, and the movie's duration and picture size.

    Raises BoxError when the boxes do not tile the file exactly, there is no `moov` box, or no track is a
    video track (an M4A or other audio-only file is not video evidence).
    """
    data = bytearray(content)
    top = list(_boxes(data, 0, len(data)))
    if not top or top[0].type != b"ftyp":
        raise BoxError("the file does not start with an ftyp box")
    movies = [box for box in top if box.type == b"moov"]
    if len(movies) != 1:
        raise BoxError("expected exactly one moov box")
    found: dict[str, int | None] = {"duration_ms": None, "width": None, "height": None, "video": None}
    blanked = 0
    for box in top:
        if box.type in _METADATA or (box.type == b"uuid" and data[box.body : box.body + 16] == _XMP_UUID):
            _blank(data, box)
            blanked += 1
    blanked += _walk(data, movies[0], found, depth=0)
    if not found["video"]:
        raise BoxError("no video track")
    return bytes(data), MovieInfo(found["duration_ms"], found["width"], found["height"], blanked)


def _walk(data: bytearray, parent: Box, found: dict[str, int | None], *, depth: int) -> int:
    if depth > _MAX_DEPTH:
        raise BoxError("boxes nested too deep")
    blanked = 0
    for box in list(_boxes(data, parent.body, parent.end)):
        if box.type in _METADATA:
            _blank(data, box)
            blanked += 1
        elif box.type == b"mvhd":
            found["duration_ms"] = _mvhd_duration_ms(data, box)
        elif box.type == b"tkhd" and found["width"] is None:
            found["width"], found["height"] = _tkhd_size(data, box)
        elif box.type == b"hdlr" and parent.type == b"mdia" and data[box.body + 8 : box.body + 12] == b"vide":
            found["video"] = 1
        elif box.type in _CONTAINERS:
            blanked += _walk(data, box, found, depth=depth + 1)
    return blanked


def _blank(data: bytearray, box: Box) -> None:
    """Turn the box into a `free` box of the same size (a 64-bit size header stays 64-bit)."""
    data[box.start + 4 : box.start + 8] = b"free"
    data[box.body : box.end] = bytes(box.end - box.body)


def _mvhd_duration_ms(data: bytearray, box: Box) -> int | None:
    body = bytes(data[box.body : box.end])
    try:
        if body[0] == 1:
            timescale, duration = struct.unpack_from(">IQ", body, 20)
        else:
            timescale, duration = struct.unpack_from(">II", body, 12)
    except (struct.error, IndexError):
        raise BoxError("truncated mvhd box") from None
    if timescale == 0 or duration in (0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF):
        return None
    return duration * 1000 // timescale


def _tkhd_size(data: bytearray, box: Box) -> tuple[int | None, int | None]:
    body = bytes(data[box.body : box.end])
    offset = 88 if body[:1] == b"\x01" else 76  # version/flags, times, track id, duration, layer…, matrix
    if len(body) < offset + 8:
        return None, None
    width, height = struct.unpack_from(">II", body, offset)
    if width == 0 or height == 0:
        return None, None
    return width >> 16, height >> 16
