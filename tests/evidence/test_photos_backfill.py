"""`manage.py photos_backfill`: photos stored before responsive variants existed get them."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from xinren.catalog.images import PRODUCT_VARIANTS, photo_variant_name
from xinren.catalog.models import ProductImage
from xinren.catalog.services import product_image_add
from xinren.evidence.models import EVIDENCE_VARIANTS, MediaFile
from xinren.evidence.services import media_ingest

from ..catalog.test_services import _register
from . import samples

pytestmark = pytest.mark.django_db


def test_backfill_makes_the_missing_variants_and_marks_the_rows(merchant_actor):
    # given a product photo and an evidence photo as they were stored before variants existed
    image = product_image_add(actor=merchant_actor, product_id=_register(merchant_actor).pk,
                              data=samples.image_bytes("PNG", size=(400, 300)))
    media = media_ingest(content=samples.jpeg_with_gps(size=(200, 100)), filename="a.jpg")
    names = [photo_variant_name(prefix=PRODUCT_VARIANTS, sha256=image.sha256, width=w, ext=e)
             for w in (160, 320, 400) for e in ("avif", "webp", "jpg")]
    names += [photo_variant_name(prefix=EVIDENCE_VARIANTS, sha256=media.sha256, width=w, ext=e)
              for w in (160, 200) for e in ("avif", "webp", "jpg")]
    for name in names:
        default_storage.delete(name)
    ProductImage.objects.update(width=None, height=None)
    MediaFile.objects.update(variants=False)
    # when
    out = io.StringIO()
    call_command("photos_backfill", stdout=out)
    # then
    assert out.getvalue().strip() == "2 photos got their responsive variants, 0 could not be read"
    assert all(default_storage.exists(name) for name in names)
    assert ProductImage.objects.values_list("width", "height").get() == (400, 300)
    assert MediaFile.objects.get().variants is True
    # and a second run has nothing to do
    again = io.StringIO()
    call_command("photos_backfill", stdout=again)
    assert again.getvalue().strip() == "0 photos got their responsive variants, 0 could not be read"
