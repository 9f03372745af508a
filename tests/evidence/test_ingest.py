"""media_ingest: sniffing, refusals that store nothing, metadata stripping, digests and dedupe."""

from __future__ import annotations

import hashlib
import io
import struct

import pytest
from django.core.files.storage import default_storage
from PIL import Image, ImageFile

from xinren.core.errors import InvalidInput
from xinren.evidence.choices import MediaKind
from xinren.evidence.media import isobmff
from xinren.evidence.models import MediaFile
from xinren.evidence.services import media_ingest

from . import samples

pytestmark = pytest.mark.django_db


def _stored_files(settings) -> list[str]:  # type: ignore[no-untyped-def]
    root = settings.MEDIA_ROOT
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _read(name: str) -> bytes:
    with default_storage.open(name, "rb") as stored:
        return stored.read()


@pytest.mark.parametrize(
    ("content", "filename", "kind", "mime"),
    [
        (samples.image_bytes("JPEG"), "a.jpg", MediaKind.IMAGE, "image/jpeg"),
        (samples.image_bytes("PNG"), "a.png", MediaKind.IMAGE, "image/png"),
        (samples.image_bytes("WEBP"), "a.webp", MediaKind.IMAGE, "image/webp"),
        (samples.image_bytes("GIF", mode="P"), "a.gif", MediaKind.IMAGE, "image/png"),
        (samples.mp4_with_location(), "a.mp4", MediaKind.VIDEO, "video/mp4"),
        (samples.mp4_with_location(), "a.MOV", MediaKind.VIDEO, "video/mp4"),
        (samples.webm_with_tags(), "a.webm", MediaKind.VIDEO, "video/webm"),
        (samples.pdf_with_metadata(), "cert.pdf", MediaKind.PDF, "application/pdf"),
        (samples.pdf_with_metadata(), "no-extension", MediaKind.PDF, "application/pdf"),
    ],
)
def test_each_kind_is_sniffed_from_its_bytes_and_stored_under_its_digest(settings, content, filename, kind, mime):
    # when
    media = media_ingest(content=content, filename=filename)
    # then
    stored = _read(media.original)
    assert (media.kind, media.mime) == (kind, mime)
    assert media.sha256 == hashlib.sha256(stored).hexdigest()
    assert media.size == len(stored)
    assert media.original.startswith(f"evidence/{media.sha256[:2]}/{media.sha256}.")
    assert default_storage.exists(media.thumbnail)
    assert (media.display != "") is (kind == MediaKind.IMAGE)


def test_gif_keeps_its_first_frame_as_png():
    # given
    frames = [Image.new("RGB", (20, 10), colour) for colour in ((255, 0, 0), (0, 0, 255))]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:])
    # when
    media = media_ingest(content=out.getvalue(), filename="anim.gif")
    # then
    with Image.open(io.BytesIO(_read(media.original))) as image:
        assert (image.format, image.size, getattr(image, "n_frames", 1)) == ("PNG", (20, 10), 1)
        assert image.convert("RGB").getpixel((5, 5)) == (255, 0, 0)


@pytest.mark.parametrize(
    ("content", "filename", "code"),
    [
        (b"hello, this is text", "a.jpg", "evidence.type_unknown"),
        (b"MZ\x90\x00" + bytes(100), "setup.exe", "evidence.type_unknown"),
        (samples.image_bytes("PNG"), "photo.jpg", "evidence.type_mismatch"),
        (samples.pdf_with_metadata(), "photo.jpeg", "evidence.type_mismatch"),
        (samples.image_bytes("JPEG"), "report.pdf", "evidence.type_mismatch"),
        (samples.image_bytes("JPEG"), "photo.jpg.exe", "evidence.type_mismatch"),
        (samples.mp4_with_location(), "clip.webm", "evidence.type_mismatch"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "IMG_1.HEIC", "evidence.type_unsupported"),
        (b"", "empty.jpg", "evidence.empty"),
        (samples.image_bytes("JPEG")[:60], "cut.jpg", "evidence.image_broken"),
        (b"\xff\xd8\xff\xe0" + bytes(200), "zeros.jpg", "evidence.image_broken"),
        (samples.mp4_with_location()[:-20], "cut.mp4", "evidence.video_broken"),
        (samples.box(b"ftyp", b"isom\x00\x00\x00\x00") + samples.box(b"mdat", b"x"), "nomoov.mp4",
         "evidence.video_broken"),
        (b"%PDF-1.7\n garbage that is not a pdf", "bad.pdf", "evidence.pdf_broken"),
    ],
)
def test_refusals_store_nothing(settings, content, filename, code):
    # when
    with pytest.raises(InvalidInput) as refused:
        media_ingest(content=content, filename=filename)
    # then
    assert refused.value.code == code
    assert MediaFile.objects.count() == 0
    assert _stored_files(settings) == []


def test_mismatch_message_names_what_the_file_really_is():
    with pytest.raises(InvalidInput) as refused:
        media_ingest(content=samples.image_bytes("PNG"), filename="photo.jpg")
    assert "PNG" in str(refused.value.message)
    assert refused.value.details == {"filename": "photo.jpg", "detected": "image/png"}


@pytest.mark.parametrize(
    ("setting", "content", "filename"),
    [
        ("XINREN_EVIDENCE_MAX_IMAGE_BYTES", samples.image_bytes("PNG"), "a.png"),
        ("XINREN_EVIDENCE_MAX_VIDEO_BYTES", samples.mp4_with_location(), "a.mp4"),
        ("XINREN_EVIDENCE_MAX_PDF_BYTES", samples.pdf_with_metadata(), "a.pdf"),
    ],
)
def test_too_large_for_its_kind_is_refused(settings, setting, content, filename):
    # given
    setattr(settings, setting, len(content) - 1)
    # when
    with pytest.raises(InvalidInput) as refused:
        media_ingest(content=content, filename=filename)
    # then
    assert refused.value.code == "evidence.too_large"
    assert refused.value.details == {"size": len(content), "max_bytes": len(content) - 1}
    assert MediaFile.objects.count() == 0
    assert _stored_files(settings) == []


def test_decompression_bomb_is_refused_before_decoding(settings):
    # given: a PNG that claims 10,000 × 10,000 pixels in a few kilobytes (over twice the limit: Pillow's own check)
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, format="PNG")
    # when
    with pytest.raises(InvalidInput) as refused:
        media_ingest(content=out.getvalue(), filename="bomb.png")
    # then
    assert refused.value.code == "evidence.image_too_many_pixels"
    assert refused.value.details == {"width": None, "height": None, "max_pixels": 24_000_000}
    assert str(refused.value.message) == "图片像素过多：最多 24 百万像素，请缩小后再上传"
    assert _stored_files(settings) == []


def test_a_small_40_megapixel_png_is_refused_from_its_header_without_decoding(settings, monkeypatch):
    # given: 8,000 × 5,000 pixels in a file of a few kilobytes, and a decoder that must not run
    out = io.BytesIO()
    Image.new("1", (8_000, 5_000)).save(out, format="PNG")
    content = out.getvalue()
    assert len(content) < 120_000

    def no_decoding(self):  # type: ignore[no-untyped-def]
        raise AssertionError("the pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    # when
    with pytest.raises(InvalidInput) as refused:
        media_ingest(content=content, filename="big.png")
    # then
    assert refused.value.code == "evidence.image_too_many_pixels"
    assert refused.value.details == {"width": 8_000, "height": 5_000, "max_pixels": 24_000_000}
    assert Image.MAX_IMAGE_PIXELS == 24_000_000
    assert MediaFile.objects.count() == 0
    assert _stored_files(settings) == []


def test_the_pixel_limit_is_a_setting(settings):
    # given: a 100 × 100 picture under a 9,999-pixel limit
    settings.XINREN_MAX_IMAGE_PIXELS = 9_999
    # when
    with pytest.raises(InvalidInput) as refused:
        media_ingest(content=samples.image_bytes("PNG", size=(100, 100)), filename="a.png")
    # then
    assert refused.value.details == {"width": 100, "height": 100, "max_pixels": 9_999}
    settings.XINREN_MAX_IMAGE_PIXELS = 10_000
    assert media_ingest(content=samples.image_bytes("PNG", size=(100, 100)), filename="a.png").width == 100


def test_kinds_limit_what_a_caller_accepts(settings):
    with pytest.raises(InvalidInput) as refused:
        media_ingest(content=samples.pdf_with_metadata(), filename="a.pdf",
                     kinds=frozenset({MediaKind.IMAGE, MediaKind.VIDEO}))
    assert refused.value.code == "evidence.kind_not_allowed"
    assert refused.value.details == {"detected": "pdf", "accepted": ["image", "video"]}
    assert _stored_files(settings) == []


def test_exif_and_gps_are_gone_and_the_rotation_is_applied():
    # given: a 64×48 photo that the camera says to rotate 90° (orientation 6)
    content = samples.jpeg_with_gps(orientation=6)
    with Image.open(io.BytesIO(content)) as original:
        assert original.getexif().get_ifd(samples.GPS_IFD)  # the fixture really carries GPS
    # when
    media = media_ingest(content=content, filename="IMG_0001.JPG")
    # then
    stored = _read(media.original)
    with Image.open(io.BytesIO(stored)) as image:
        assert dict(image.getexif()) == {}
        assert "exif" not in image.info and "xmp" not in image.info
        assert image.size == (48, 64)
    assert (media.width, media.height) == (48, 64)
    assert b"SpyCam" not in stored and b"Exif" not in stored
    for name in (media.thumbnail, media.display):
        assert b"SpyCam" not in _read(name)


def test_display_and_thumbnail_sizes_are_bounded():
    # when
    media = media_ingest(content=samples.image_bytes("PNG", size=(2000, 1000)), filename="wide.png")
    # then
    with Image.open(io.BytesIO(_read(media.display))) as display:
        assert (display.format, display.size) == ("JPEG", (1280, 640))
    with Image.open(io.BytesIO(_read(media.thumbnail))) as thumbnail:
        assert (thumbnail.format, thumbnail.size) == ("JPEG", (320, 160))


def test_mp4_location_boxes_are_blanked_in_place():
    # given
    content = samples.mp4_with_location()
    # when
    media = media_ingest(content=content, filename="clip.mp4")
    # then: same length, every box where it was, metadata boxes now zeroed `free` boxes
    stored = _read(media.original)
    assert len(stored) == len(content)
    assert samples.LOCATION not in stored and b"Zhang San" not in stored and b"ISO6709" not in stored
    before = [(b.type, b.start, b.end) for b in isobmff._boxes(content, 0, len(content))]
    after = [(b.type, b.start, b.end) for b in isobmff._boxes(stored, 0, len(stored))]
    assert [(s, e) for _t, s, e in before] == [(s, e) for _t, s, e in after]
    moov = next(b for b in isobmff._boxes(stored, 0, len(stored)) if b.type == b"moov")
    children = [b.type for b in isobmff._boxes(stored, moov.body, moov.end)]
    assert children == [b"mvhd", b"trak", b"free", b"free"]
    mdat_start = len(stored) - 256
    stco_at = stored.index(b"stco")
    (offset,) = struct.unpack_from(">I", stored, stco_at + 12)
    assert offset == mdat_start and stored[offset : offset + 4] == b"\x00\x01\x02\x03"
    assert (media.duration_ms, media.width, media.height) == (42_000, 1280, 720)


def test_webm_tags_become_void_of_the_same_size():
    # given
    content = samples.webm_with_tags()
    # when
    media = media_ingest(content=content, filename="clip.webm")
    # then
    stored = _read(media.original)
    assert len(stored) == len(content)
    assert b"Kunming" not in stored and b"LOCATION" not in stored
    assert b"TestMuxer" in stored  # Info is kept (documented)


def test_pdf_info_and_xmp_are_dropped():
    # when
    media = media_ingest(content=samples.pdf_with_metadata(author="Zhang San"), filename="cert.pdf")
    # then
    stored = _read(media.original)
    assert b"Zhang San" not in stored and b"/Author" not in stored and b"/Producer" not in stored
    assert media.pages == 1


def test_the_same_file_is_stored_once(settings):
    # given
    content = samples.jpeg_with_gps()
    first = media_ingest(content=content, filename="a.jpg")
    files = _stored_files(settings)
    # when
    second = media_ingest(content=content, filename="b.jpeg")
    # then
    assert second.pk == first.pk
    assert MediaFile.objects.count() == 1
    assert _stored_files(settings) == files
    assert len(files) == 6  # original, display, thumbnail; its one responsive width as AVIF, WebP and JPEG


def test_an_audio_only_mp4_is_not_video_evidence(settings):
    # given: an M4A-like file, a movie whose only track is a sound track
    hdlr = samples.box(b"hdlr", bytes(8) + b"soun" + bytes(12) + b"\x00")
    movie = samples.box(b"moov", samples.mvhd() + samples.box(b"trak", samples.box(b"mdia", hdlr)))
    content = samples.box(b"ftyp", b"M4A \x00\x00\x00\x00") + movie + samples.box(b"mdat", b"\x00" * 16)
    # when
    with pytest.raises(InvalidInput) as refused:
        media_ingest(content=content, filename="voice.mp4")
    # then
    assert refused.value.code == "evidence.video_broken"
    assert _stored_files(settings) == []


def test_64_bit_box_sizes_and_a_final_box_to_the_end_of_file_are_read():
    # given: the moov box written with a 64-bit size, and an mdat whose size 0 means "to the end of the file"
    content = samples.mp4_with_location()
    start = content.index(b"moov") - 4
    (size,) = struct.unpack_from(">I", content, start)
    body = content[start + 8 : start + size]
    large = struct.pack(">I4sQ", 1, b"moov", size + 8) + body
    mdat = content[start + size :]
    rewritten = content[:start] + large + struct.pack(">I", 0) + mdat[4:]
    # when
    stripped, info = isobmff.strip(rewritten)
    # then
    assert len(stripped) == len(rewritten) and samples.LOCATION not in stripped
    assert (info.duration_ms, info.width, info.height, info.blanked) == (42_000, 1280, 720, 3)


def test_webm_with_a_cluster_of_unknown_size_keeps_what_follows_it():
    # given: a live-recorded layout, Tags after a Cluster whose size is unknown
    from xinren.evidence.media import webm

    content = samples.webm_with_tags()
    tags_at = content.index(b"\x12\x54\xc3\x67")
    cluster_at = content.index(b"\x1f\x43\xb6\x75")
    cluster = content[cluster_at:]
    tags = content[tags_at:cluster_at]
    unknown = cluster[:4] + b"\x01\xff\xff\xff\xff\xff\xff\xff" + cluster[12:]
    reordered = content[:tags_at] + unknown + tags
    # when
    stripped, blanked = webm.strip(reordered)
    # then: nothing after the cluster is reachable; the file is accepted unchanged (documented)
    assert (blanked, stripped) == (0, reordered)


def test_a_file_left_cut_short_in_storage_is_replaced():
    # given: an earlier attempt left a truncated original under the digest's name, and no row
    first = media_ingest(content=samples.jpeg_with_gps(), filename="a.jpg")
    name, digest = first.original, first.sha256
    first.delete()
    with default_storage.open(name, "wb") as broken:
        broken.write(b"\xff\xd8\xff")
    # when
    again = media_ingest(content=samples.jpeg_with_gps(), filename="a.jpg")
    # then
    assert again.original == name
    assert hashlib.sha256(_read(name)).hexdigest() == digest


@pytest.mark.parametrize("orientation", [None, 1, 6])
@pytest.mark.parametrize("mode", ["RGB", "P", "1"])
def test_no_metadata_survives_whichever_way_the_pixels_are_prepared(orientation, mode):
    # given: a PNG with text chunks, an ICC profile and EXIF (GPS, camera), upright or to be rotated
    from PIL import PngImagePlugin

    image = Image.new(mode, (40, 30), 1 if mode != "RGB" else (10, 200, 30))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"
    if orientation is not None:
        exif[0x0112] = orientation
    exif.get_ifd(samples.GPS_IFD).update({1: "N", 2: (25.0, 2.0, 30.0)})
    text = PngImagePlugin.PngInfo()
    text.add_text("Location", "Kunming")
    out = io.BytesIO()
    image.save(out, format="PNG", exif=exif, pnginfo=text, icc_profile=b"SpyProfile" * 20)
    # when
    media = media_ingest(content=out.getvalue(), filename="a.png")
    # then
    for name in (media.original, media.display, media.thumbnail):
        stored = _read(name)
        assert b"SpyCam" not in stored and b"Kunming" not in stored and b"SpyProfile" not in stored
