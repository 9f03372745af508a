"""Responsive photo variants (catalog/images.py): widths, formats, no metadata, and the `{% picture %}` markup."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.template import Context, Template
from PIL import Image

from xinren.catalog.images import (
    PRODUCT_VARIANTS,
    photo_for,
    photo_variant_name,
    photo_widths,
    product_photo,
)
from xinren.catalog.services import product_image_add
from xinren.evidence.models import EVIDENCE_VARIANTS
from xinren.evidence.selectors import media_photo
from xinren.evidence.services import media_ingest

from ..evidence import samples
from .test_services import _register

pytestmark = pytest.mark.django_db


def _jpeg_with_exif(size: tuple[int, int]) -> bytes:
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif.get_ifd(0x8825).update({1: "N", 2: (25.0, 2.0, 30.0), 3: "E", 4: (102.0, 42.0, 0.0)})  # GPS
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, quality=90)
    return out.getvalue()


def _read(name: str) -> bytes:
    with default_storage.open(name, "rb") as stored:
        return stored.read()


def test_photo_widths_never_enlarge():
    assert photo_widths(4000) == (160, 320, 640, 1280)
    assert photo_widths(1280) == (160, 320, 640, 1280)
    assert photo_widths(960) == (160, 320, 640, 960)
    assert photo_widths(320) == (160, 320)
    assert photo_widths(100) == (100,)


def test_product_photo_gets_every_variant_with_no_metadata(merchant_actor):
    # given a 1600 x 1200 photo carrying a camera name and a GPS position
    product = _register(merchant_actor)
    data = _jpeg_with_exif((1600, 1200))
    assert b"SecretCam" in data
    # when it is uploaded
    image = product_image_add(actor=merchant_actor, product_id=product.pk, data=data)
    # then its size is recorded and every width exists as AVIF, WebP and JPEG, at the right size, with no metadata
    assert (image.width, image.height) == (1600, 1200)
    expected = {"avif": "AVIF", "webp": "WEBP", "jpg": "JPEG"}
    for width in (160, 320, 640, 1280):
        for ext, fmt in expected.items():
            payload = _read(photo_variant_name(prefix=PRODUCT_VARIANTS, sha256=image.sha256, width=width, ext=ext))
            assert b"SecretCam" not in payload
            with Image.open(io.BytesIO(payload)) as variant:
                assert variant.format == fmt
                assert variant.size == (width, width * 3 // 4)
                assert len(variant.getexif()) == 0, (width, ext)
                assert not {"exif", "xmp", "icc_profile"} & set(variant.info), (width, ext, variant.info.keys())
    assert product_photo(image) == {"prefix": PRODUCT_VARIANTS, "sha256": image.sha256, "width": 1600,
                                    "height": 1200}


def test_avif_is_smaller_than_jpeg_at_the_same_width(merchant_actor):
    product = _register(merchant_actor)
    from xinren.catalog.demo import product_photo_draw

    image = product_image_add(actor=merchant_actor, product_id=product.pk,
                              data=product_photo_draw(category="fruit", seed=1))
    sizes = {ext: len(_read(photo_variant_name(prefix=PRODUCT_VARIANTS, sha256=image.sha256, width=640, ext=ext)))
             for ext in ("avif", "webp", "jpg")}
    assert sizes["avif"] < sizes["jpg"] and sizes["webp"] < sizes["jpg"], sizes


def test_evidence_photo_gets_variants_and_keeps_no_gps():
    # given a photo with GPS in its EXIF
    content = samples.jpeg_with_gps(size=(800, 600))
    # when it is ingested as evidence
    media = media_ingest(content=content, filename="forest.jpg")
    # then its variants are stored, flagged, and carry no metadata
    assert media.variants is True
    ref = media_photo(media)
    assert ref == {"prefix": EVIDENCE_VARIANTS, "sha256": media.sha256, "width": 800, "height": 600}
    for width in (160, 320, 640, 800):
        for ext in ("avif", "webp", "jpg"):
            payload = _read(photo_variant_name(prefix=EVIDENCE_VARIANTS, sha256=media.sha256, width=width, ext=ext))
            assert b"SpyCam" not in payload
            with Image.open(io.BytesIO(payload)) as variant:
                assert len(variant.getexif()) == 0
                assert variant.width == width


def test_a_photo_without_variants_has_no_reference():
    media = media_ingest(content=samples.image_bytes("PNG"), filename="a.png")
    assert media_photo(media) is not None
    media.variants = False  # stored before variants existed, not yet backfilled
    assert media_photo(media) is None


def test_photo_for_builds_srcsets_without_storage():
    ref = {"prefix": "products/variants", "sha256": "ab" * 32, "width": 1000, "height": 500}
    photo = photo_for(ref, src_width=320, max_width=640)  # type: ignore[arg-type]
    base = "/media/products/variants/" + "ab" * 32
    assert photo == {
        "avif": f"{base}-160w.avif 160w, {base}-320w.avif 320w, {base}-640w.avif 640w",
        "webp": f"{base}-160w.webp 160w, {base}-320w.webp 320w, {base}-640w.webp 640w",
        "jpg": f"{base}-160w.jpg 160w, {base}-320w.jpg 320w, {base}-640w.jpg 640w",
        "src": f"{base}-320w.jpg",
        "width": 320,
        "height": 160,
    }


def test_picture_tag_markup_is_lazy_sized_and_escaped():
    # given a photo reference and an alt text with markup in it
    ref = {"prefix": "products/variants", "sha256": "cd" * 32, "width": 640, "height": 480}
    template = Template('{% load photos %}{% picture ref alt=alt sizes="96px" max_width=320 src_width=160 %}')
    # when drawn
    html = template.render(Context({"ref": ref, "alt": '<b>"菌"</b>'}))
    # then: AVIF first, then WebP, then the JPEG <img> with its size, lazy, and the alt text escaped
    base = "/media/products/variants/" + "cd" * 32
    assert html == (
        f'<picture><source type="image/avif" srcset="{base}-160w.avif 160w, {base}-320w.avif 320w" sizes="96px">'
        f'<source type="image/webp" srcset="{base}-160w.webp 160w, {base}-320w.webp 320w" sizes="96px">'
        f'<img src="{base}-160w.jpg" srcset="{base}-160w.jpg 160w, {base}-320w.jpg 320w" sizes="96px" '
        'width="160" height="120" alt="&lt;b&gt;&quot;菌&quot;&lt;/b&gt;" loading="lazy" decoding="async"></picture>'
    )


def test_picture_tag_draws_nothing_without_a_photo_and_eager_drops_lazy():
    template = Template("{% load photos %}[{% picture ref %}]")
    assert template.render(Context({"ref": None})) == "[]"
    ref = {"prefix": "p", "sha256": "ef" * 32, "width": 320, "height": 320}
    eager = Template("{% load photos %}{% picture ref eager=True %}").render(Context({"ref": ref}))
    assert "loading=" not in eager and 'decoding="async"' in eager


def test_photo_url_is_absolute_on_the_public_origin(settings):
    settings.XINREN_RESOLVER = "https://id.example.cn"
    settings.XINREN_PUBLIC_ORIGIN = "https://www.example.cn"  # links follow the served origin (ADR 0019)
    ref = {"prefix": "products/variants", "sha256": "12" * 32, "width": 1280, "height": 960}
    html = Template("{% load photos %}{% photo_url ref 640 %}").render(Context({"ref": ref}))
    assert html == "https://www.example.cn/media/products/variants/" + "12" * 32 + "-640w.jpg"
