"""Every MP4 layout is stripped of its location: hand-built files hiding it in each place a camera or an editor
puts it, and no trace of it anywhere in the stored bytes."""

from __future__ import annotations

import struct

import pytest

from xinren.evidence.media import isobmff

from . import samples

_UUID_VENDOR = bytes.fromhex("50524f46 21d24fce bb88695c fac9c740".replace(" ", ""))  # a vendor profile box
_TRACES = (samples.LOCATION, b"+25.0417", b"102.7000", b"ISO6709", b"Kunming", struct.pack(">i", 6_730_000))

LAYOUTS = {
    "xyz in udta under moov": lambda: samples.mp4_layout(moov_extra=samples.xyz_udta()),
    "xyz in udta under trak": lambda: samples.mp4_layout(trak_extra=samples.xyz_udta()),
    "xyz directly under moov": lambda: samples.mp4_layout(
        moov_extra=samples.box(b"\xa9xyz", struct.pack(">HH", len(samples.LOCATION), 0) + samples.LOCATION)),
    "meta keys/ilst ISO6709 under moov": lambda: samples.mp4_layout(moov_extra=samples.apple_meta()),
    "meta keys/ilst ISO6709 under trak": lambda: samples.mp4_layout(trak_extra=samples.apple_meta()),
    "3gpp loci and XMP_ in udta": lambda: samples.mp4_layout(moov_extra=samples.loci_udta()),
    "stale udta in a top-level free box": lambda: samples.mp4_layout(
        top_before=samples.box(b"free", samples.xyz_udta())),
    "skip box inside moov": lambda: samples.mp4_layout(moov_extra=samples.box(b"skip", samples.xyz_udta())),
    "vendor uuid at the top level": lambda: samples.mp4_layout(
        top_after=samples.box(b"uuid", _UUID_VENDOR + samples.LOCATION)),
    "vendor uuid inside moov": lambda: samples.mp4_layout(
        moov_extra=samples.box(b"uuid", _UUID_VENDOR + samples.LOCATION)),
    "top-level udta and meta": lambda: samples.mp4_layout(top_after=samples.xyz_udta() + samples.apple_meta()),
    "moov after mdat": lambda: samples.mp4_layout(moov_last=True, moov_extra=samples.xyz_udta() + samples.apple_meta(),
                                                  trak_extra=samples.xyz_udta()),
    "timed location track": lambda: samples.mp4_layout(meta_track=True),
    "timed location track, moov after mdat": lambda: samples.mp4_layout(meta_track=True, moov_last=True),
    "fragmented: timed location track in moof": lambda: samples.mp4_fragmented(),
    "fragmented: meta and udta in moof and traf": lambda: samples.mp4_fragmented(
        traf_extra=samples.apple_meta(), moof_extra=samples.xyz_udta()),
}


def _video_sample(data: bytes) -> bytes:
    """The video track's one sample, read where its own tables say it is."""
    if b"moof" in data:  # fragmented: the first traf's data offset counts from its moof
        moof = next(b for b in isobmff._boxes(data, 0, len(data)) if b.type == b"moof")
        start = moof.start + struct.unpack_from(">i", data, data.index(b"trun") + 12)[0]
    else:
        (start,) = struct.unpack_from(">I", data, data.index(b"stco") + 12)
    return data[start : start + len(samples.VIDEO_SAMPLE)]


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_no_location_survives_anywhere_in_the_output(layout):
    # given: the location really is in the file
    content = LAYOUTS[layout]()
    assert any(trace in content for trace in _TRACES)
    assert _video_sample(content) == samples.VIDEO_SAMPLE
    # when
    stripped, info = isobmff.strip(content)
    # then: not a byte of it is left, nothing moved, the video's sample is where it was, intact
    assert [trace for trace in _TRACES if trace in stripped] == []
    assert len(stripped) == len(content)
    before = [(b.start, b.end) for b in isobmff._boxes(content, 0, len(content))]
    assert [(b.start, b.end) for b in isobmff._boxes(stripped, 0, len(stripped))] == before
    assert _video_sample(stripped) == samples.VIDEO_SAMPLE
    assert (info.width, info.height) == (1280, 720)


def test_what_plays_is_kept_byte_for_byte():
    # given: a file with no metadata at all
    content = samples.mp4_layout()
    # when
    stripped, info = isobmff.strip(content)
    # then
    assert stripped == content
    assert (info.duration_ms, info.width, info.height, info.blanked) == (42_000, 1280, 720, 0)


def test_a_dropped_tracks_samples_outside_mdat_are_refused():
    # given: the location track's chunk offset points into the moov box
    content = bytearray(samples.mp4_layout(meta_track=True))
    second_stco = content.index(b"stco", content.index(b"stco") + 4)
    struct.pack_into(">I", content, second_stco + 12, 40)
    # when / then
    with pytest.raises(isobmff.BoxError, match="outside mdat"):
        isobmff.strip(bytes(content))
