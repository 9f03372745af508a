"""MP4 / MOV (ISO base media file format): checking the box structure and blanking everything but the movie.

Locations hide in many places: QuickTime `©xyz` and 3GPP `loci` in `udta` (under `moov`, under a track, at
the top level), Apple's `com.apple.quicktime.location.ISO6709` in `meta`/`keys`/`ilst`, XMP and vendor data in
`uuid` boxes, stale copies in `free`/`skip` padding, the same boxes inside fragments (`moof`/`traf`), and timed
metadata tracks (GoPro GPMF, Apple `mebx`, DJI subtitle tracks) whose samples in `mdat` carry GPS fixes.

So the stripper keeps what plays, not what it knows to remove: in each container only the boxes a player
needs are kept (an allowlist per container), every other box is overwritten in place by a `free` box of the
same size with zeroed content, `free`/`skip` padding is zeroed, and a track that is neither video nor sound is
blanked whole with its samples in `mdat` zeroed. No byte moves, so the chunk offsets in `stco`/`co64` and the
fragments' data offsets stay valid and the video plays as before.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, field

_TOP = frozenset({b"ftyp", b"styp", b"moov", b"mdat", b"moof", b"mfra", b"sidx", b"ssix", b"pdin", b"prft", b"wide"})
# Boxes kept inside each container; anything else there is blanked. Containers are walked (their children
# checked), the other kept boxes are kept whole: they hold the codec setup and sample tables, not free text.
_KEEP: dict[bytes, frozenset[bytes]] = {
    b"moov": frozenset({b"mvhd", b"trak", b"mvex", b"iods"}),
    b"trak": frozenset({b"tkhd", b"tref", b"trgr", b"edts", b"mdia"}),
    b"edts": frozenset({b"elst"}),
    b"mdia": frozenset({b"mdhd", b"hdlr", b"minf", b"elng"}),
    b"minf": frozenset({b"vmhd", b"smhd", b"hmhd", b"nmhd", b"sthd", b"gmhd", b"hdlr", b"dinf", b"stbl"}),
    b"dinf": frozenset({b"dref"}),
    b"stbl": frozenset({b"stsd", b"stts", b"ctts", b"cslg", b"stsc", b"stsz", b"stz2", b"stco", b"co64", b"stss",
                        b"stsh", b"stps", b"sdtp", b"padb", b"stdp", b"sbgp", b"sgpd", b"subs", b"saiz", b"saio"}),
    b"mvex": frozenset({b"mehd", b"trex", b"leva", b"trep"}),
    b"moof": frozenset({b"mfhd", b"traf", b"pssh"}),
    b"traf": frozenset({b"tfhd", b"tfdt", b"trun", b"sbgp", b"sgpd", b"subs", b"saiz", b"saio", b"senc"}),
    b"mfra": frozenset({b"tfra", b"mfro"}),
}
_PADDING = frozenset({b"free", b"skip"})
_KEPT_TRACKS = frozenset({b"vide", b"soun"})
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
    blanked: int  # how many boxes were overwritten (padding zeroed in place is not counted)


@dataclass
class _Strip:
    data: bytearray
    duration_ms: int | None = None
    width: int | None = None
    height: int | None = None
    video: bool = False
    blanked: int = 0
    dropped_tracks: set[int] = field(default_factory=set)
    defaults: dict[int, int] = field(default_factory=dict)  # track id → trex default sample size
    zero: list[tuple[int, int]] = field(default_factory=list)  # sample ranges of dropped tracks


def strip(content: bytes) -> tuple[bytes, MovieInfo]:
    """The file with everything but the movie blanked, and the movie's duration and picture size.

    Raises BoxError when the boxes do not tile the file exactly, there is no `moov` box, no track is a video
    track (an M4A or other audio-only file is not video evidence), or a dropped track's samples cannot be
    located inside `mdat` (refused rather than leaving them in).
    """
    state = _Strip(bytearray(content))
    data = state.data
    top = list(_boxes(data, 0, len(data)))
    if not top or top[0].type != b"ftyp":
        raise BoxError("the file does not start with an ftyp box")
    movies = [box for box in top if box.type == b"moov"]
    if len(movies) != 1:
        raise BoxError("expected exactly one moov box")
    _walk(state, movies[0], depth=0)
    for box in top:
        if box.type in _PADDING:
            _zero(data, box)
        elif box.type not in _TOP:
            _blank(state, box)
        elif box.type in (b"moof", b"mfra"):
            _walk(state, box, depth=0)
    if not state.video:
        raise BoxError("no video track")
    mdats = [(box.body, box.end) for box in top if box.type == b"mdat"]
    for start, end in state.zero:
        if end > start and not any(low <= start and end <= high for low, high in mdats):
            raise BoxError("samples of a metadata track lie outside mdat")
        data[start:end] = bytes(end - start)
    return bytes(data), MovieInfo(state.duration_ms, state.width, state.height, state.blanked)


def _walk(state: _Strip, parent: Box, *, depth: int) -> None:
    if depth > _MAX_DEPTH:
        raise BoxError("boxes nested too deep")
    data = state.data
    keep = _KEEP[parent.type]
    for box in list(_boxes(data, parent.body, parent.end)):
        if box.type in _PADDING:
            _zero(data, box)
        elif box.type not in keep:
            _blank(state, box)
        elif box.type == b"trak":
            _track(state, box, depth=depth)
        elif box.type == b"traf":
            _fragment(state, box, parent, first=box.start == _first_traf(data, parent))
        elif box.type == b"trex":
            fields = _u32s(data, box, 4, 20)  # track id, sample description, duration, size
            state.defaults[fields[0]] = fields[3]
        elif box.type == b"mvhd":
            state.duration_ms = _mvhd_duration_ms(data, box)
        elif box.type in _KEEP:
            _walk(state, box, depth=depth + 1)


def _track(state: _Strip, trak: Box, *, depth: int) -> None:
    """Keep a video or sound track (walked like any container); blank any other track and zero its samples."""
    data = state.data
    children = {box.type: box for box in _boxes(data, trak.body, trak.end)}
    mdia = children.get(b"mdia")
    handler = b""
    if mdia is not None:
        hdlr = next((box for box in _boxes(data, mdia.body, mdia.end) if box.type == b"hdlr"), None)
        if hdlr is not None:
            handler = bytes(data[hdlr.body + 8 : hdlr.body + 12])
    if handler in _KEPT_TRACKS:
        _walk(state, trak, depth=depth + 1)
        tkhd = children.get(b"tkhd")
        if handler == b"vide" and not state.video:
            state.video = True
            if tkhd is not None:
                state.width, state.height = _tkhd_size(data, tkhd)
        return
    tkhd = children.get(b"tkhd")
    if tkhd is not None:
        version = data[tkhd.body]
        (track_id,) = struct.unpack_from(">I", data, tkhd.body + (20 if version == 1 else 12))
        state.dropped_tracks.add(track_id)
    if mdia is not None:
        state.zero.extend(_track_samples(data, mdia))
    _blank(state, trak)


def _find(data: bytearray, parent: Box, *path: bytes) -> Box | None:
    box: Box | None = parent
    for kind in path:
        assert box is not None
        box = next((child for child in _boxes(data, box.body, box.end) if child.type == kind), None)
        if box is None:
            return None
    return box


def _u32s(data: bytearray, box: Box, offset: int, end: int) -> tuple[int, ...]:
    if box.body + end > box.end:
        raise BoxError(f"truncated {box.type!r} box")
    return struct.unpack_from(">" + "I" * ((end - offset) // 4), data, box.body + offset)


def _track_samples(data: bytearray, mdia: Box) -> list[tuple[int, int]]:
    """The byte ranges of a track's samples, from its chunk offsets, samples per chunk and sample sizes."""
    stbl = _find(data, mdia, b"minf", b"stbl")
    if stbl is None:
        return []
    tables = {box.type: box for box in _boxes(data, stbl.body, stbl.end)}
    stsc, stsz = tables.get(b"stsc"), tables.get(b"stsz")
    chunks = tables.get(b"stco") or tables.get(b"co64")
    if chunks is None or stsc is None:
        return []
    if stsz is None:
        raise BoxError("a metadata track without stsz sample sizes")  # stz2: refused rather than left in
    wide = chunks.type == b"co64"
    (count,) = _u32s(data, chunks, 4, 8)
    if chunks.body + 8 + count * (8 if wide else 4) > chunks.end:
        raise BoxError("truncated chunk offset box")
    offsets = struct.unpack_from(">" + ("Q" if wide else "I") * count, data, chunks.body + 8)
    (entries,) = _u32s(data, stsc, 4, 8)
    if stsc.body + 8 + entries * 12 > stsc.end:
        raise BoxError("truncated stsc box")
    runs = [struct.unpack_from(">III", data, stsc.body + 8 + 12 * i) for i in range(entries)]
    uniform, samples = _u32s(data, stsz, 4, 12)
    if not uniform and stsz.body + 12 + 4 * samples > stsz.end:
        raise BoxError("truncated stsz box")
    sizes = [uniform] * samples if uniform else list(struct.unpack_from(f">{samples}I", data, stsz.body + 12))
    ranges, sample = [], 0
    for chunk, offset in enumerate(offsets, start=1):
        per_chunk = next((n for first, n, _sd in reversed(runs) if first <= chunk), 0)
        length = sum(sizes[sample : sample + per_chunk])
        sample += per_chunk
        ranges.append((offset, offset + length))
    return ranges


def _first_traf(data: bytearray, moof: Box) -> int:
    return next((box.start for box in _boxes(data, moof.body, moof.end) if box.type == b"traf"), -1)


def _fragment(state: _Strip, traf: Box, moof: Box, *, first: bool) -> None:
    """A fragment of a kept track is walked; a fragment of a dropped track is blanked and its samples zeroed."""
    data = state.data
    tfhd = _find(data, traf, b"tfhd")
    if tfhd is None:
        raise BoxError("a track fragment without tfhd")
    flags, track_id = _u32s(data, tfhd, 0, 8)
    flags &= 0xFFFFFF
    if track_id not in state.dropped_tracks:
        _walk(state, traf, depth=1)
        return
    position = tfhd.body + 8
    base = moof.start
    if flags & 0x01:
        (base,) = struct.unpack_from(">Q", data, position)
        position += 8
    elif not (flags & 0x020000 or first):
        # The base would be where the previous fragment's data ended: refused rather than guessed.
        raise BoxError("a metadata track fragment without an explicit data base")
    position += 4 * bool(flags & 0x02) + 4 * bool(flags & 0x08)
    default_size = state.defaults.get(track_id, 0)
    if flags & 0x10:
        (default_size,) = struct.unpack_from(">I", data, position)
    cursor = base
    for trun in (box for box in _boxes(data, traf.body, traf.end) if box.type == b"trun"):
        run_flags, count = _u32s(data, trun, 0, 8)
        at = trun.body + 8
        if run_flags & 0x01:
            (data_offset,) = struct.unpack_from(">i", data, at)
            cursor = base + data_offset
            at += 4
        at += 4 * bool(run_flags & 0x04)
        fields = [bit for bit in (0x100, 0x200, 0x400, 0x800) if run_flags & bit]
        if at + 4 * len(fields) * count > trun.end:
            raise BoxError("truncated trun box")
        length = 0
        for index in range(count):
            values = dict(zip(fields, struct.unpack_from(">" + "I" * len(fields), data, at + 4 * len(fields) * index),
                              strict=True))
            length += values.get(0x200, default_size)
        state.zero.append((cursor, cursor + length))
        cursor += length
    _blank(state, traf)


def _blank(state: _Strip, box: Box) -> None:
    """Turn the box into a `free` box of the same size (a 64-bit size header stays 64-bit)."""
    state.data[box.start + 4 : box.start + 8] = b"free"
    _zero(state.data, box)
    state.blanked += 1


def _zero(data: bytearray, box: Box) -> None:
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
